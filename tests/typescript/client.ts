// What a frontend writes against the types openapi-typescript generates from /openapi.json
// (default options): a transactional send, a create, a filtered recipients list and a contact
// update. tests/typescript/test_typescript_client.py compiles it with `tsc --noEmit --strict`.
import type { paths } from "./schema";

type JsonBody<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Body<P extends keyof paths, M extends keyof paths[P]> =
  JsonBody<NonNullable<paths[P][M] extends { requestBody?: infer R } ? R : never>>;
type Answer<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { responses: { 200: infer R } } ? JsonBody<R> : never;
type Query<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

const base = "http://127.0.0.1:4010";
const headers = { Authorization: "Bearer test_key_acme", "Content-Type": "application/json" };

async function post<T>(path: string, body: unknown, method = "POST"): Promise<T> {
  const response = await fetch(base + path, { method, headers, body: JSON.stringify(body) });
  return (await response.json()) as T;
}

export async function sendCode(email: string, otp: string): Promise<string[]> {
  const body: Body<"/orgs/{org_id}/broadcasts/{broadcast_id}/send", "post"> = {
    email,
    variables: { otp },
  };
  const answer = await post<Answer<"/orgs/{org_id}/broadcasts/{broadcast_id}/send", "post">>(
    "/orgs/c/broadcasts/bc_otp/send", body);
  return "recipients" in answer ? answer.recipients.map((row) => row.id) : [];
}

export async function createBroadcast(name: string): Promise<string> {
  const body: Body<"/orgs/{org_id}/broadcasts", "post"> = { name, segment_ids: ["seg_vip"] };
  const created = await post<Answer<"/orgs/{org_id}/broadcasts", "post">>(
    "/orgs/c/broadcasts", body);
  return created.status;
}

export async function failedRecipients(broadcastId: string): Promise<(string | null)[]> {
  const query: Query<"/orgs/{org_id}/broadcasts/{broadcast_id}/recipients", "get"> = {
    is_failed: true,
    take: 50,
  };
  const search = new URLSearchParams(
    Object.entries(query).map(([key, value]) => [key, String(value)]));
  const response = await fetch(`${base}/orgs/c/broadcasts/${broadcastId}/recipients?${search}`,
    { headers });
  const rows = (await response.json()) as
    Answer<"/orgs/{org_id}/broadcasts/{broadcast_id}/recipients", "get">;
  return rows.map((row) => row.error_message);
}

export async function unsubscribe(contactId: string): Promise<boolean> {
  const body: Body<"/orgs/{org_id}/contacts/{contact_id}", "patch"> = { unsubscribed: true };
  const contact = await post<Answer<"/orgs/{org_id}/contacts/{contact_id}", "patch">>(
    `/orgs/c/contacts/${contactId}`, body, "PATCH");
  return contact.unsubscribed;
}

// A frontend on another origin: lists broadcasts and triggers a send, the way an app would.
const params = new URLSearchParams(location.search);
const api = params.get("api");
const auth = { Authorization: `Bearer ${params.get("key")}` };

const listed = await fetch(`${api}/orgs/c/broadcasts?take=1`, { headers: auth });
document.getElementById("count").textContent = listed.headers.get("pagination-count");
for (const broadcast of await listed.json()) {
  const item = document.createElement("li");
  item.textContent = `${broadcast.name} · ${broadcast.status}`;
  document.getElementById("rows").append(item);
}

// JSON with a bearer key: the browser sends a preflight first.
const sent = await fetch(`${api}/orgs/c/broadcasts/bc_login/send`, {
  method: "POST",
  headers: { ...auth, "Content-Type": "application/json" },
  body: JSON.stringify({ email: "frontend@example.com", template_ids: ["tpl_login_email"] }),
});
const { recipients } = await sent.json();
document.getElementById("sent").textContent = `${sent.status} ${recipients[0].email}`;
document.body.dataset.done = "yes";

"""The public HTTP API and the control surface, exercised in-process through httpx.

(Named `api`, not `http`: a package called `http` under a rootdir on sys.path would shadow the
standard library's.)"""

"""`limner serve`: one HTTP server and web page for every technique.

* ``app.py``     — the FastAPI app: limner routes (plan, expand, upsample, generate, edit, info, jobs),
  the web page, bearer-token check, 4xx messages.
* ``a1111.py``   — the AUTOMATIC1111-compatible subset (``/sdapi/v1/...``) so existing scripts work.
* ``jobs.py``    — one bounded job queue: ids, position, progress, events, cancellation of a chosen job.
* ``engine.py``  — the models, loaded once, behind plain functions that return typed records + PNG bytes.
* ``limits.py``  — every size bounded; uploaded images decoded defensively.
* ``cli.py``     — ``limner serve``.
* ``static/``    — the page (plain HTML + one script, no build step).

FastAPI and uvicorn are the ``server`` extra; nothing here is imported by ``import limner``.
"""

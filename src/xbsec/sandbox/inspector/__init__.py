"""The sandbox's request inspector: every request the gateway answered, check by check.

``xbsec sandbox serve`` turns it on when it listens on a loopback address (``--inspector``
elsewhere, ``--no-inspector`` never) and prints its URL, with the run's token:

- ``recorder``: the gateway's observer, which writes each request to the history off the
  request's path;
- ``store``: the history, ``server/inspector.db`` (SQLite, 0600, the last 10,000 requests,
  shared by the workers, kept across restarts);
- ``page``: the pages under ``/_inspector/``, behind the token; ``render`` and ``assets``
  their HTML, style and script; ``reproduce`` the command that sends a call again.

What a request's checks say is worked out by ``xbsec.server.inspection``.
"""

"""Serve the sandbox with uvicorn on a free loopback port (for the restart tests).

``python -m tests.sandbox.serve DATABASE`` binds 127.0.0.1 on a port the system picks,
prints the port on one line, and serves until it is stopped.
"""

from __future__ import annotations

import socket
import sys

import uvicorn

from xbsec.sandbox import create_sandbox_app


def main() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_sandbox_app(sys.argv[1]),
                                           log_level="warning", lifespan="on"))
    print(listener.getsockname()[1], flush=True)
    server.run(sockets=[listener])


if __name__ == "__main__":
    main()

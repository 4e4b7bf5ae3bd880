"""Whether `qa serve` can listen where it is asked to, checked before the models load."""

from __future__ import annotations

import errno
import socket

_WHY = {
    errno.EADDRINUSE: "another program listens there: stop it, or pick another port"
    " (--port or QA_PORT)",
    errno.EACCES: "this user may not listen on port {port} (ports below 1024 usually need"
    " privileges): pick another port (--port or QA_PORT)",
    errno.EADDRNOTAVAIL: "{host} is not an address of this machine: pick one of its own"
    " (--host or QA_HOST; 127.0.0.1 for this machine only, 0.0.0.0 for every interface)",
}


def check_listen(host: str, port: int) -> None:
    """Bind and release the first address `host` resolves to, as uvicorn will bind it.

    Raises OSError with a message that names the address and what to do. Another program
    can still take the port between this check and the server's own bind; uvicorn then
    reports it.
    """
    where = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise OSError(
            f"cannot listen on {where}: {host!r} is not a known address ({exc.strerror})"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn sets it
        try:
            sock.bind(address)
        except OSError as exc:
            why = _WHY.get(exc.errno or 0, "{error}")
            message = why.format(host=host, port=port, error=exc.strerror)
            raise OSError(f"cannot listen on {where}: {message}") from None

"""The dask backend of :func:`ajx_actuarial.simulate`: the scheduler address checked and reached before any
work (a refused port fails at once, an unreachable host within :data:`DASK_CONNECT_TIMEOUT` seconds, each as
one :class:`ValidationError` naming the address), then the blocks run as tasks."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ValidationError
from .engine import run_block

__all__ = ["DASK_CONNECT_TIMEOUT", "is_scheduler_address", "dask_client", "run_dask"]

_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ucx|ws|wss|inproc)://)?[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}$|^(?:inproc)://\S+$")
#: Seconds to reach a dask scheduler given by its address before the run gives up (dask's own default is 30).
DASK_CONNECT_TIMEOUT = 10


def is_scheduler_address(client: Any) -> bool:
    """Whether ``client`` reads as a dask scheduler address (``tcp://HOST:PORT``, ``HOST:PORT``, ``tls://...``).

    >>> is_scheduler_address("tcp://10.0.0.5:8786"), is_scheduler_address("file system")
    (True, False)
    """
    return isinstance(client, str) and len(client) <= 300 and bool(_ADDRESS.match(client))


def reach(address: str) -> None:
    """A TCP scheduler address answers at all (a refused port fails at once, not after dask's retries)."""
    import socket

    m = re.match(r"^(?:(?:tcp|tls|ws|wss)://)?\[?([^\[\]]+?)\]?:([0-9]{1,5})$", address)
    if m is None:
        return
    try:
        socket.create_connection((m.group(1), int(m.group(2))), timeout=DASK_CONNECT_TIMEOUT).close()
    except (OSError, ValueError) as exc:
        raise ValidationError(f"simulate: cannot reach the dask scheduler at {address!r} ({type(exc).__name__}: "
                              f"{str(exc)[:80]}); start one (`dask scheduler`) or check the address") from exc


def dask_client(client):
    """The dask client of a run, reached before any work: ``(client, own)``; ``own`` when opened here from an address."""
    try:
        from dask.distributed import Client, get_client
    except ImportError as exc:  # pragma: no cover
        raise ValidationError("simulate: backend='dask' needs dask[distributed] (pip install 'ajx_actuarial[dask]')") from exc
    if client is None:
        try:
            return get_client(), False
        except ValueError as exc:
            raise ValidationError("simulate: backend='dask' found no active dask.distributed client; pass client= (a Client or a scheduler address)") from exc
    if isinstance(client, str):
        reach(client)
        return _open(Client, client), True
    return client, False


def _open(Client, address: str):
    """``Client(address)`` within a hard deadline: something that accepts the connection but is not a dask scheduler
    (a web server, a silent socket) made dask wait for ever or read garbage as a frame length (an exabyte allocation).
    The attempt runs in a daemon thread; past the deadline it is abandoned and the run refused."""
    import threading

    box: dict = {}

    def attempt() -> None:
        try:
            box["client"] = Client(address, timeout=DASK_CONNECT_TIMEOUT)
        except BaseException as exc:  # noqa: BLE001 - reported below as one line, whatever dask raised
            box["error"] = exc

    t = threading.Thread(target=attempt, name="ajx-dask-connect", daemon=True)
    t.start()
    t.join(DASK_CONNECT_TIMEOUT + 5)
    if "client" in box:
        return box["client"]
    why = f"{type(box['error']).__name__}" if "error" in box else f"no dask handshake within {DASK_CONNECT_TIMEOUT + 5} s"
    raise ValidationError(f"simulate: no dask scheduler answers at {address!r} ({why}; something may listen there that is "
                          "not a dask scheduler); start one (`dask scheduler`) or check the address")


def run_dask(prep, ss, blocks, client, step, log=False):
    """Every block of a pass as a task on ``client`` (the prepared arrays scattered once), in block order."""
    prep_f = client.scatter(prep, broadcast=True)
    futs = [client.submit(run_block, prep_f, ss.entropy, tuple(ss.spawn_key), b, ny, log, pure=False) for b, ny in blocks]
    out = []
    for k, f in enumerate(futs):
        out.append(f.result())
        step(k + 1, len(futs))
    return out

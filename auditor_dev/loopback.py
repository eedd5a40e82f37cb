"""The threaded HTTP server under the Graph emulator and the vendors' stand-ins, which leaves no thread
behind when it closes.

`http.server.ThreadingHTTPServer` gives each connection a thread and, with HTTP/1.1 keep-alive, that
thread waits for the connection's next request until the client closes it. `shutdown()` stops only the
accept loop: a client that keeps its connection pool open (the SDK's, a vendor client's) leaves those
threads waiting in `recv` after the server is gone, and when the process then exits they wake inside the
interpreter's finalization, where a thread that takes the GIL is ended by `pthread_exit`. That is where
`audit --demo --tenants` was seen to die by signal 11, once in a few hundred runs.

So `server_close()` here shuts every open connection down (its thread's `recv` returns at once) and
joins each connection's thread before it returns: once a server is closed, no thread of its is alive.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import ThreadingHTTPServer
from typing import Any

JOIN_SECONDS = 5.0  # a connection's thread ends as soon as its socket is shut down; this only bounds a hang


class LoopbackServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its open connections, and closes and joins them in server_close()."""

    daemon_threads = True  # never holds the process open, yet server_close() joins them all
    # socketserver's default backlog is 5: a collector opening its streams, member partitions and
    # batches at once met refused connections Graph would have taken
    request_queue_size = 128

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), name="loopback-connection"
        )
        thread.daemon = self.daemon_threads
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def open_connections(self) -> int:
        """The connections whose threads are still serving."""
        with self._connections_lock:
            return len(self._connections)

    def server_close(self) -> None:
        super().server_close()
        with self._connections_lock:
            open_now = list(self._connections.items())
        for connection, _ in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in open_now:
            if thread is not threading.current_thread():
                thread.join(JOIN_SECONDS)

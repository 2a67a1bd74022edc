"""A host that accepts connections and never answers: the slowest site there is."""

from __future__ import annotations

import asyncio


class Tarpit:
    """Accepts connections on a loopback address and never answers."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                await reader.read()  # the client gives up first
            finally:
                writer.close()

        self.server = await asyncio.start_server(swallow, self.host, 0)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()

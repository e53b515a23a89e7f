"""The server's cache of recent answers (see :class:`ReplyCache`)."""

from __future__ import annotations

from collections import OrderedDict

from ..sparql.protocol import Reply


class ReplyCache:
    """Recent successful answers, least recently used first out, within a byte budget.

    Exact, because the workers answer from an immutable snapshot; it is
    cleared whenever the pool moves to a new one.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple, Reply] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple) -> Reply | None:
        reply = self._entries.get(key)
        if reply is not None:
            self._entries.move_to_end(key)
        return reply

    def put(self, key: tuple, reply: Reply) -> None:
        size = self._size(key, reply)
        if size > self.max_bytes // 8 or key in self._entries:
            return
        self._entries[key] = reply
        self.bytes += size
        while self.bytes > self.max_bytes:
            self.bytes -= self._size(*self._entries.popitem(last=False))

    @staticmethod
    def _size(key: tuple, reply: Reply) -> int:
        return len(reply.body) + sum(len(str(part)) for part in key)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

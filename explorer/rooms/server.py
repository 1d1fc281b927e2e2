"""The room store this server process uses: one ``MemoryRoomStore``, made on first import.

A shared backend (issue 19) is chosen here, and only here; the pages ask for ``STORE``.
"""
from __future__ import annotations

from explorer.rooms.memory_store import MemoryRoomStore
from explorer.rooms.store import RoomStore

STORE: RoomStore = MemoryRoomStore()

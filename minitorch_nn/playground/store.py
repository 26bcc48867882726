"""Every tab's session by id: open, look up, close, and free the idle ones.

The store holds at most ``max_sessions`` sessions (opening one more frees the least recently
used) and frees a session unused for ``idle_timeout`` seconds when :meth:`SessionStore.reap`
runs, so tabs that go away give their memory back. Tabs share nothing: each id has its own
:class:`~minitorch_nn.playground.session.Session`.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .session import Session
from .settings import Config, ConfigError

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class SessionGone(LookupError):
    """No session with this id (never opened, closed, or freed after being idle): HTTP 404."""


class SessionStore:
    """The sessions by id, at most ``max_sessions`` (opening one more frees the least recently
    used); a session unused for ``idle_timeout`` seconds is freed by :meth:`reap`."""

    def __init__(
        self,
        max_sessions: int = 32,
        idle_timeout: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_sessions < 1 or not idle_timeout > 0:
            raise ValueError(
                f"max_sessions must be >= 1 and idle_timeout > 0, got {max_sessions} and "
                f"{idle_timeout}"
            )
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    @staticmethod
    def check_id(session_id: Any) -> str:
        """``session_id`` when it is 8 to 64 letters, digits, '-' or '_'; else ConfigError."""
        if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
            raise ConfigError(
                f"session must be 8 to 64 letters, digits, '-' or '_', got {session_id!r}"
            )
        return session_id

    def open(self, session_id: str, config: Config) -> Session:
        """A new session under ``session_id`` (replacing one of that id)."""
        session = Session(config)  # built outside the lock: it takes a few milliseconds
        session.last_used = self.clock()
        with self._lock:
            self._sessions.pop(session_id, None)
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)
            self._sessions[session_id] = session
        return session

    def get(self, session_id: str) -> Session:
        """The session under ``session_id``, now the most recently used; else SessionGone."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise SessionGone(
                    f"no session {session_id!r}: it was closed, freed after "
                    f"{self.idle_timeout:g} s idle, or never opened; open it again"
                )
            self._sessions.move_to_end(session_id)
            session.last_used = self.clock()
            return session

    def close(self, session_id: str) -> bool:
        """Free the session under ``session_id``; True when there was one."""
        with self._lock:
            return self._sessions.pop(session_id, None) is not None

    def reap(self) -> int:
        """Free the sessions idle for longer than ``idle_timeout``; return how many."""
        now = self.clock()
        with self._lock:
            stale = [k for k, s in self._sessions.items() if now - s.last_used > self.idle_timeout]
            for key in stale:
                del self._sessions[key]
        return len(stale)

    def clear(self) -> None:
        """Free every session."""
        with self._lock:
            self._sessions.clear()

"""A board's calendar feed's secret address, as calendar apps subscribe to one: Outlook and Google Calendar fetch
the address again and again without anyone's session, so the address itself is the authority to read it.

It names the board, signed by the web app (itsdangerous, with ``CIVIC_WEB_FEED_SECRET``, else the session's
secret): only an address this app gave out is read, for the board it names and no other. It lasts until the
secret changes, which revokes every address given out at once. Nothing is asked of the API before the signature
is good, and then only the board and its meetings, as the web's own identity with a reader's scopes.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

#: keeps a feed's signature from standing for anything else signed with the same secret
SALT = "civic-web.board-calendar-feed"
#: where a feed is, under the officers' address: the signed board is the last part, before ".ics"
FEEDS = "/safeguarding/calendar-feeds"


class CalendarFeeds:
    def __init__(self, secret: str) -> None:
        self._signer = URLSafeSerializer(secret, salt=SALT)

    def address(self, board_id: str) -> str:
        """The board's feed, as a path under the officers' address."""
        return f"{FEEDS}/{self._signer.dumps({'board_id': board_id})}.ics"

    def board_of(self, signed: str) -> str | None:
        """The board a feed's signed part names, or None when this app did not sign it (tampered, made up, or
        signed with a secret since rotated)."""
        try:
            found = self._signer.loads(signed)
        except BadSignature:
            return None
        board_id = found.get("board_id") if isinstance(found, dict) else None
        return board_id if isinstance(board_id, str) and board_id else None

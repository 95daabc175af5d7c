"""Thread handlers: a product that owns a kind of conversation decides how inbound mail on it
is taken (messaging imports no product; the product registers its handler in its apps.py).

Without a handler, inbound mail is the customer's reply (services/inbound.py). A quote
request of the portal turns this round: the e-mail side is the tenant's sales, so its handler
stores inbound mail as the business's answer and tells the customer in the portal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from theke.messaging.models import Conversation, ConversationMessage, InboundEmail
    from theke.messaging.services.outbox import Attachment


@dataclass(frozen=True)
class InboundReply:
    """A mail found to belong to a conversation, parsed and with the quotes stripped."""

    conversation: Conversation
    text: str
    attachments: Sequence[Attachment]
    from_address: str
    from_name: str
    inbound_email: InboundEmail | None


class ThreadHandler(Protocol):
    def accepts_sender(self, conversation: Conversation, address: str) -> bool:
        """Whether mail from this address may post into the conversation."""
        ...

    def receive(self, reply: InboundReply) -> ConversationMessage:
        """Store the mail in the conversation (inside the caller's transaction)."""
        ...

    def staff_message(self, message: ConversationMessage) -> bool:
        """A staff user wrote in the conversation on its page (inside the transaction).
        True: the product has told the customer itself, messaging sends no e-mail."""
        ...


_handlers: dict[str, ThreadHandler] = {}


def register_thread_handler(content_type_label: str, handler: ThreadHandler) -> None:
    """Handle inbound mail of conversations about objects of "app_label.model"."""
    _handlers[content_type_label.lower()] = handler


def handler_for(conversation: Conversation) -> ThreadHandler | None:
    """The registered handler of the conversation's object kind, if any."""
    if not conversation.content_type_id or not _handlers:
        return None
    content_type = conversation.content_type
    assert content_type is not None
    return _handlers.get(f"{content_type.app_label}.{content_type.model}")

"""Messaging's own purposes: the free message staff write and the conversation reply.

Registered with the registry when this module is imported (MessagingConfig.ready()).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import (
    COMPANY,
    EMAIL,
    RECIPIENT,
    SIGNATURE,
    SMS,
    Purpose,
    Texts,
    defaults,
    email_default,
    make_purpose,
    placeholders,
    register,
    sms_default,
)

MESSAGE_TO_CUSTOMER = register(
    Purpose(
        code="message_to_customer",
        label=_("Freie Nachricht an den Kunden"),
        description=_("Anrede und Grußformel für eine Nachricht, die Sie selbst schreiben."),
        channels=(EMAIL, SMS),
        manual=True,
        placeholders=placeholders(RECIPIENT, COMPANY),
        defaults=defaults(
            email_de=email_default(
                "Nachricht von {company_name}",
                f"{{greeting}},\n\n\n\n{SIGNATURE['de']}",
            ),
            email_en=email_default(
                "Message from {company_name}",
                f"{{greeting}},\n\n\n\n{SIGNATURE['en']}",
            ),
            sms_de=sms_default("{greeting},\n\n\nFreundliche Grüße\n{company_name}"),
            sms_en=sms_default("{greeting},\n\n\nKind regards\n{company_name}"),
        ),
    )
)

CONVERSATION_REPLY = register(
    make_purpose(
        "conversation_reply",
        _("Neue Nachricht in einer Unterhaltung"),
        _("Benachrichtigt den Kunden über eine neue Nachricht Ihres Teams."),
        placeholders=placeholders(
            conversation_subject=_("Betreff der Unterhaltung"),
            message_text=_("Text der neuen Nachricht"),
            sender_name=_("Name des Mitarbeiters, der geschrieben hat"),
            link=_("Link zur Unterhaltung"),
        ),
        de=Texts(
            "Neue Nachricht: {conversation_subject}",
            """
Sie haben eine neue Nachricht von {sender_name} ({company_name}) zu „{conversation_subject}“:

{message_text}

Sie können einfach auf diese E-Mail antworten oder die Unterhaltung hier öffnen:

{link}
""",
            button="Unterhaltung öffnen",
            sms=(
                "{company_name}: Sie haben eine neue Nachricht zu {conversation_subject}. "
                "Lesen und antworten: {link}"
            ),
        ),
        en=Texts(
            "New message: {conversation_subject}",
            """
You have a new message from {sender_name} ({company_name}) about "{conversation_subject}":

{message_text}

Simply reply to this e-mail, or open the conversation here:

{link}
""",
            button="Open conversation",
            sms=(
                "{company_name}: You have a new message about {conversation_subject}. "
                "Read and reply: {link}"
            ),
        ),
        samples={
            "de": {
                "conversation_subject": "Kostenvoranschlag KV-4711",
                "message_text": "Das Ersatzteil ist eingetroffen. "
                "Wir können morgen mit der Reparatur beginnen.",
                "sender_name": "Anna Berger",
            },
            "en": {
                "conversation_subject": "Cost estimate KV-4711",
                "message_text": "The spare part has arrived. We can start the repair tomorrow.",
            },
        },
    )
)

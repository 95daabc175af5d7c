"""Every e-mail in the tenant's design: logo, brand colour, button, footer, inline styles only.

The purposes come from the registry, so a later product's purposes are checked here too.
"""

from __future__ import annotations

import io
from email.message import EmailMessage, Message
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from theke.audit.services import SYSTEM
from theke.core.colors import (
    BLACK,
    WHITE,
    contrast_ratio,
    readable_on_white,
    text_color_on,
)
from theke.messaging import email_layout
from theke.messaging.mime import InlineImage, OutboxEmail
from theke.messaging.models import Channel, OutboundMessage
from theke.messaging.purposes import EMAIL, LANGUAGES, PURPOSES
from theke.messaging.services import delivery, templates
from theke.messaging.services.outbox import SECRET_LINK, SECRET_LINKS, queue_message
from theke.messaging.tests.emailhtml import assert_in_layout, parse
from theke.messaging.tests.people import People, make_people
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import update_tenant

pytestmark = pytest.mark.django_db

BRAND = "#aa3300"
# A link with a query: its "&" must be escaped in the HTML and intact in the text part.
LINK = "https://theke.test/t/alpha/kv/x7Kq2Lm9?lang=de&src=mail"


def logo_upload(size: tuple[int, int] = (800, 200)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (170, 51, 0, 255)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def branded(tenant_a: Tenant, media_root: Any) -> Tenant:
    """Tenant A with a logo, a brand colour and a full address."""
    return update_tenant(
        tenant_a,
        SYSTEM,
        logo=logo_upload(),
        brand_color=BRAND,
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
        phone="030 1234567",
        website="https://www.autohaus-alpha.test/",
        legal_name="Autohaus Alpha GmbH",
    )


@pytest.fixture
def people(tenant_a: Tenant) -> People:
    return make_people(tenant_a)


def outbound(message: OutboundMessage) -> OutboundMessage:
    with scopes_disabled():
        return OutboundMessage.objects.select_related("tenant").get(pk=message.pk)


# --- every purpose, both languages ----------------------------------------------------------


def email_purposes() -> list[tuple[str, str]]:
    return [
        (code, language)
        for code, purpose in PURPOSES.items()
        if EMAIL in purpose.channels
        for language in LANGUAGES
    ]


@pytest.mark.parametrize(("code", "language"), email_purposes())
def test_every_purpose_is_sent_in_the_tenants_layout(
    branded: Tenant, code: str, language: str
) -> None:
    purpose = PURPOSES[code]
    context = {**templates.sample_context(branded, code, language), "link": LINK}
    with tenant_scope(branded):
        message = templates.send_templated(
            branded,
            purpose=code,
            channel=EMAIL,
            contact=None,
            recipient="empfang@kunde.test",
            context=context,
            related=None,
            dedupe_key=f"layout:{code}:{language}",
            language=language,
        )

    label = purpose.default(EMAIL, language).link_label
    if "link" in purpose.placeholders:
        # Whatever a purpose links to, the link is a button: its shipped text names it.
        assert label, f"{code}: a purpose with a link needs a link_label for its button"
        document = assert_in_layout(message.body_html, branded, language, link=LINK, label=label)
        assert "&amp;src=mail" in message.body_html
        hint = (
            "Falls die Schaltfläche nicht funktioniert"
            if language == "de"
            else "If the button does not work"
        )
        assert hint in document.clean_text()
    else:
        document = assert_in_layout(message.body_html, branded, language)
    [title] = document.find_all("title")
    assert title.clean_text() == message.subject
    # The text part stays, the link on a line of its own.
    assert message.body_text.strip()
    assert "<" not in message.body_text.replace(context.get("comment", ""), "")
    if "link" in purpose.placeholders:
        assert LINK in message.body_text.splitlines()


def test_a_purpose_of_a_later_product_gets_the_layout_without_copying_it(
    branded: Tenant, sample_purposes: None
) -> None:
    with tenant_scope(branded):
        message = templates.send_templated(
            branded,
            purpose="test_rejection",
            channel=EMAIL,
            contact=None,
            recipient="empfang@kunde.test",
            context={"greeting": "Guten Tag"},
            related=None,
            dedupe_key="layout:sample",
            language="de",
        )
    assert_in_layout(message.body_html, branded, "de")


# --- the parts of the layout ----------------------------------------------------------------


def test_without_a_logo_the_header_shows_the_company_name_as_text(tenant_a: Tenant) -> None:
    rendered = templates.render_message(
        tenant_a, "estimate_link", EMAIL, "de", {"link": LINK, "greeting": "Guten Tag"}
    )
    label = PURPOSES["estimate_link"].default(EMAIL, "de").link_label
    assert_in_layout(rendered.html, tenant_a, "de", link=LINK, label=label, logo="")


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        ("#1f4e79", WHITE),  # the default dark blue
        ("#aa3300", WHITE),
        ("#ffd600", BLACK),  # yellow
        ("#7fdbff", BLACK),  # light blue
        ("#3a87c9", BLACK),  # mid blue: white reaches only 3.9:1
        ("#000000", WHITE),
        ("#ffffff", BLACK),
    ],
)
def test_text_on_the_brand_colour_reaches_4_5_to_1(brand: str, text: str) -> None:
    assert text_color_on(brand) == text
    assert contrast_ratio(text_color_on(brand), brand) >= 4.5


def test_every_grey_and_colour_gets_a_readable_text_colour() -> None:
    for value in range(0, 256, 5):
        for brand in (f"#{value:02x}{value:02x}{value:02x}", f"#{value:02x}80{255 - value:02x}"):
            assert contrast_ratio(text_color_on(brand), brand) >= 4.5, brand
            assert contrast_ratio(readable_on_white(brand), WHITE) >= 4.5, brand


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21)
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)
    assert readable_on_white("#1f4e79") == "#1f4e79"  # dark enough as it is


def test_a_light_brand_colour_gets_dark_button_text_and_darker_links(tenant_a: Tenant) -> None:
    tenant_a.brand_color = "#ffd600"
    rendered = templates.render_message(tenant_a, "estimate_link", EMAIL, "en", {"link": LINK})
    document = parse(rendered.html)
    [button] = [a for a in document.find_all("a", href=LINK) if a.clean_text() != LINK]
    assert button.style("color") == BLACK
    [written] = [a for a in document.find_all("a", href=LINK) if a.clean_text() == LINK]
    assert contrast_ratio(written.style("color"), WHITE) >= 4.5


def test_the_logo_is_made_small_for_e_mail_and_never_enlarged(
    tenant_a: Tenant, media_root: Any
) -> None:
    tenant = update_tenant(tenant_a, SYSTEM, logo=logo_upload((3000, 500)))
    logo = email_layout.email_logo(tenant)
    assert logo is not None
    with Image.open(io.BytesIO(logo.content)) as image:
        assert image.format == "PNG"
        assert image.size == (480, 80)  # twice the CSS size, for sharp screens
    assert (logo.width, logo.height) == (240, 40)
    assert len(logo.content) < 20_000

    tenant = update_tenant(tenant, SYSTEM, logo=logo_upload((100, 30)))
    small = email_layout.email_logo(tenant)
    assert small is not None
    assert (small.width, small.height) == (100, 30)
    assert small.content_id != logo.content_id  # a new logo, a new Content-ID


def test_the_editors_preview_embeds_the_logo(branded: Tenant) -> None:
    rendered = templates.render_text(
        branded,
        "estimate_link",
        EMAIL,
        "de",
        subject="Betreff",
        text="{greeting},\n\n{link}",
        html="",
        context={"greeting": "Guten Tag", "link": LINK},
        preview=True,
    )
    assert "cid:" not in rendered.html
    label = PURPOSES["estimate_link"].default(EMAIL, "de").link_label
    assert_in_layout(rendered.html, branded, "de", link=LINK, label=label, logo="data")


def test_the_editor_page_allows_style_attributes_but_no_style_elements(
    owner_client: Any,
) -> None:
    url = reverse("messaging:template_edit", args=["estimate_link", "email", "de"])
    policy = owner_client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["style-src-attr"] == "'unsafe-inline'"
    assert "unsafe-inline" not in directives["style-src"]
    assert "unsafe-inline" not in directives["script-src"]
    # Elsewhere the strict policy holds.
    other = owner_client.get(reverse("messaging:template_list"))["Content-Security-Policy"]
    assert "style-src-attr" not in other


def test_a_tenants_own_html_document_is_sent_as_it_is(tenant_a: Tenant, owner: Any) -> None:
    from theke.audit.services import Actor

    own = '<!doctype html><html lang="de"><body><p>Eigenes Design: {link}</p></body></html>'
    templates.save_template(
        tenant_a, Actor.staff(owner), "estimate_link", EMAIL, "de", "KV", "Text {link}", own
    )
    rendered = templates.render_message(tenant_a, "estimate_link", EMAIL, "de", {"link": "L"})
    assert rendered.html == own.replace("{link}", "L")


def test_a_tenants_own_html_fragment_is_put_into_the_layout(branded: Tenant, owner: Any) -> None:
    from theke.audit.services import Actor

    own = "<p>Eigener <b>Absatz</b> mit {link}</p>"
    templates.save_template(
        branded, Actor.staff(owner), "estimate_link", EMAIL, "de", "KV", "Text {link}", own
    )
    rendered = templates.render_message(branded, "estimate_link", EMAIL, "de", {"link": "L"})
    assert "<p>Eigener <b>Absatz</b> mit L</p>" in rendered.html
    assert_in_layout(rendered.html, branded, "de")


def test_a_text_staff_wrote_is_sent_in_the_layout_with_the_link_as_button(
    branded: Tenant, people: People
) -> None:
    message = templates.send_templated(
        branded,
        purpose="conversation_reply",
        channel=EMAIL,
        contact=people.hans,
        context={"link": LINK},
        related=None,
        dedupe_key="layout:overrides",
        overrides={"subject": "Neu", "text": f"Guten Tag,\n\nbitte hier:\n\n{LINK}\n\nGruß"},
    )
    label = PURPOSES["conversation_reply"].default(EMAIL, "de").link_label
    assert_in_layout(message.body_html, branded, "de", link=LINK, label=label)


def test_a_text_only_email_gets_the_layout_in_the_recipients_language(branded: Tenant) -> None:
    """E-mails queued without HTML (conversation messages) are branded too."""
    with tenant_scope(branded):
        message = queue_message(
            branded,
            channel=Channel.EMAIL,
            purpose="conversation_message",
            recipient="erika@example.com",
            dedupe_key="layout:text-only",
            subject="Your repair",
            text="Dear Ms Smith,\n\nthe part <has> arrived: https://example.com/x\n\nRegards",
            language="en",
        )
    document = assert_in_layout(message.body_html, branded, "en")
    assert "the part <has> arrived" in document.clean_text()
    assert document.find_all("a", href="https://example.com/x", rel="nofollow")


def test_a_conversation_message_is_branded(branded: Tenant, people: People, owner: Any) -> None:
    from theke.messaging.services import conversations

    with tenant_scope(branded):
        conversation = conversations.conversation_for(
            people.customer, tenant=branded, subject="Ihr Auftrag", customer=people.customer
        )
        conversations.post_staff_message(conversation, owner, "Das Teil ist da.")
        [message] = OutboundMessage.objects.filter(purpose="conversation_message")
    document = assert_in_layout(message.body_html, branded, "de")
    assert "Das Teil ist da." in document.clean_text()


# --- the send path --------------------------------------------------------------------------


def parts(message: Message) -> list[EmailMessage]:
    payload = message.get_payload()
    assert isinstance(payload, list)
    assert all(isinstance(part, EmailMessage) for part in payload)
    return list(payload)


def inline_logo(received: Message) -> tuple[EmailMessage, EmailMessage]:
    """The multipart/related part's HTML and image (asserting the structure)."""
    assert received.get_content_type() == "multipart/alternative"
    plain, related = parts(received)
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    assert related.get_param("type") == "text/html"
    html_part, image = parts(related)
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    return html_part, image


def test_the_sent_email_carries_the_layout_and_its_logo_inline(
    smtp_peer: Any, branded: Tenant, people: People
) -> None:
    label = PURPOSES["estimate_link"].default(EMAIL, "en").link_label
    with tenant_scope(branded):
        templates.send_templated(
            branded,
            purpose="estimate_link",
            channel=EMAIL,
            contact=people.erika,
            context={"estimate_number": "KV-17", "item": "iPhone", "link": LINK},
            related=None,
            dedupe_key="layout:smtp",
        )

    assert delivery.deliver_due() == 1

    [received] = smtp_peer.messages
    html_part, image = inline_logo(received)
    html = html_part.get_content()
    document = assert_in_layout(html, branded, "en", link=LINK, label=label)
    [logo] = document.find_all("img")
    assert logo.attrs["src"] == f"cid:{image['Content-ID'].strip('<>')}"
    expected = email_layout.email_logo(branded)
    assert expected is not None and image.get_content() == expected.content
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert LINK in text.replace("\r\n", "\n").splitlines()


def test_without_a_logo_the_email_has_no_related_part(smtp_peer: Any, tenant_a: Tenant) -> None:
    with tenant_scope(tenant_a):
        queue_message(
            tenant_a,
            channel=Channel.EMAIL,
            purpose="conversation_message",
            recipient="kunde@kunde.test",
            dedupe_key="layout:nologo",
            subject="Hallo",
            text="Guten Tag",
        )
    assert delivery.deliver_due() == 1
    [received] = smtp_peer.messages
    assert [part.get_content_type() for part in received.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert_in_layout(
        received.get_body(preferencelist=("html",)).get_content(), tenant_a, "de", logo=""
    )


def test_the_locmem_mailer_gets_the_inline_logo_too(branded: Tenant) -> None:
    with tenant_scope(branded):
        message = queue_message(
            branded,
            channel=Channel.EMAIL,
            purpose="conversation_message",
            recipient="kunde@kunde.test",
            dedupe_key="layout:locmem",
            subject="Hallo",
            text="Guten Tag",
        )
    assert delivery.deliver_one(message.pk)
    [sent] = mail.outbox
    assert isinstance(sent, OutboxEmail)
    [image] = sent.inline_images
    html = sent.alternatives[0][0]
    assert isinstance(html, str)
    assert f'src="cid:{image.content_id}"' in html
    inline_logo(sent.message())


def test_a_secret_link_in_the_button_is_made_at_send_time_and_escaped(
    smtp_peer: Any, branded: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SECRET_LINKS, "test_secret", lambda message: LINK)
    html = email_layout.branded_html(
        branded, "de", f"Ihr Link:\n\n{SECRET_LINK}", link=SECRET_LINK, link_label="Öffnen"
    )
    with tenant_scope(branded):
        message = queue_message(
            branded,
            channel=Channel.EMAIL,
            purpose="test_secret",
            recipient="kunde@kunde.test",
            dedupe_key="layout:secret",
            subject="Link",
            text=f"Ihr Link:\n\n{SECRET_LINK}",
            html=html,
        )
    assert LINK not in outbound(message).body_html

    assert delivery.deliver_due() == 1

    html_part, _image = inline_logo(smtp_peer.messages[0])
    sent = html_part.get_content()
    assert "lang=de&amp;src=mail" in sent
    assert_in_layout(sent, branded, "de", link=LINK, label="Öffnen")


def test_an_html_part_naming_a_logo_the_tenant_no_longer_has_goes_without_it(
    branded: Tenant,
) -> None:
    html = email_layout.branded_html(branded, "de", "Guten Tag")
    assert email_layout.inline_images(branded, html) != []
    without = update_tenant(branded, SYSTEM, remove_logo=True)
    assert email_layout.inline_images(without, html) == []


def test_inline_images_go_into_a_related_part_beside_attachments() -> None:
    email = OutboxEmail(
        subject="Logo",
        body="Text",
        from_email="theke@localhost",
        to=["kunde@kunde.test"],
        inline_images=[InlineImage("logo-1@theke", b"\x89PNG fake", "image/png", "logo.png")],
    )
    email.attach_alternative('<img src="cid:logo-1@theke" alt="A">', "text/html")
    email.attach("a.pdf", b"%PDF-1.4", "application/pdf")
    parsed = email.message()
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
        "application/pdf",
    ]
    image = next(part for part in parsed.walk() if part.get_content_type() == "image/png")
    assert image["Content-ID"] == "<logo-1@theke>"
    assert image.get_content() == b"\x89PNG fake"
    assert [part.get_filename() for part in parsed.iter_attachments()] == ["a.pdf"]

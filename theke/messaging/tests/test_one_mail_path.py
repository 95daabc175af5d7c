"""Every e-mail goes through the outbox: only the messaging delivery code talks to a mailer.

An AST scan of theke/**/*.py (tests excluded) finds calls of Django's sending functions
(send_mail, send_mass_mail, mail_admins, mail_managers, a backend's send_messages), imports
of Django's mail machinery, and `.send()` on a Django e-mail message: built in place, held in
a variable or parameter typed or assigned as one, or returned by a function annotated to
return one. `.send()` on anything else (an SMS backend, a webhook sender) is not flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import theke

ROOT = Path(theke.__file__).parent
# The delivery code: the worker builds and sends the e-mails of outbox rows here.
DELIVERY_MODULES = frozenset({"messaging/services/delivery.py", "messaging/mime.py"})

SENDING_FUNCTIONS = frozenset(
    {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "send_messages"}
)
MESSAGE_CLASSES = frozenset({"EmailMessage", "EmailMultiAlternatives", "OutboxEmail"})
MAIL_MODULES = frozenset({"django.core.mail", "django.core.mail.message", "theke.messaging.mime"})
MAIL_IMPORTS = SENDING_FUNCTIONS | MESSAGE_CLASSES | {"get_connection", "mailers"}


def _names_in(node: ast.AST | None) -> set[str]:
    """Every name an annotation mentions (also inside strings and `X | None`)."""
    if node is None:
        return set()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval")
        except SyntaxError:
            return set()
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            found |= _names_in(child)
    return found


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def message_factories(trees: Mapping[str, ast.Module]) -> set[str]:
    """Functions (of any module) annotated to return a Django e-mail message."""
    return {
        node.name
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _names_in(node.returns) & MESSAGE_CLASSES
    }


def _message_variables(tree: ast.Module, factories: set[str]) -> set[str]:
    """Names bound to an e-mail message: by annotation or by assignment from a factory."""
    makers = MESSAGE_CLASSES | factories
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and _names_in(node.annotation) & MESSAGE_CLASSES:
            names.add(node.arg)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if _names_in(node.annotation) & MESSAGE_CLASSES:
                names.add(node.target.id)
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _called_name(node.value) in makers
        ):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def _is_message(node: ast.expr, factories: set[str], variables: set[str]) -> bool:
    if isinstance(node, ast.Call):
        return _called_name(node) in MESSAGE_CLASSES | factories
    if isinstance(node, ast.Name):
        return node.id in variables
    if isinstance(node, ast.Attribute):
        return node.attr in variables
    return False


def mail_sends(tree: ast.Module, factories: set[str]) -> Iterator[tuple[int, str]]:
    """(line, what) for every way this module could send an e-mail itself."""
    variables = _message_variables(tree, factories)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in MAIL_MODULES:
            for alias in node.names:
                if alias.name in MAIL_IMPORTS:
                    yield node.lineno, f"imports {alias.name} from {node.module}"
        elif isinstance(node, ast.ImportFrom) and node.module == "django.core":
            if any(alias.name == "mail" for alias in node.names):
                yield node.lineno, "imports django.core.mail"
        elif isinstance(node, ast.Import):
            if any(alias.name in MAIL_MODULES for alias in node.names):
                yield node.lineno, "imports django.core.mail"
        elif isinstance(node, ast.Call):
            name = _called_name(node)
            if name in SENDING_FUNCTIONS:
                yield node.lineno, f"calls {name}()"
            elif (
                name == "send"
                and isinstance(node.func, ast.Attribute)
                and _is_message(node.func.value, factories, variables)
            ):
                yield node.lineno, "calls .send() on an e-mail message"


def scan(sources: Mapping[str, str]) -> list[str]:
    """Findings as "path:line: what" for modules given as {path: source}."""
    trees = {path: ast.parse(source, filename=path) for path, source in sources.items()}
    factories = message_factories(trees)
    return [
        f"{path}:{line}: {what}"
        for path, tree in sorted(trees.items())
        for line, what in mail_sends(tree, factories)
    ]


def project_sources() -> dict[str, str]:
    sources = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "tests" in path.relative_to(ROOT).parts or relative in DELIVERY_MODULES:
            continue
        sources[relative] = path.read_text(encoding="utf-8")
    return sources


def test_no_module_outside_the_delivery_code_sends_mail():
    sources = project_sources()
    assert "accounts/services/__init__.py" in sources and "messaging/services/outbox.py" in sources
    assert scan(sources) == [], "queue an outbox row (messaging.services.outbox) instead"


def test_the_delivery_code_is_what_the_scan_would_flag():
    """The allowed modules really are the ones that send (else the list is stale)."""
    delivery = {name: (ROOT / name).read_text(encoding="utf-8") for name in DELIVERY_MODULES}
    assert scan(delivery)


# --- the scan itself ------------------------------------------------------------------------

OLD_ACCOUNTS_EMAILS = """
from django.core.mail import EmailMessage

def invitation(user, tenant) -> EmailMessage:
    return EmailMessage(subject="x", body="y", to=[user.email])
"""

OLD_ACCOUNTS_TASKS = """
from theke.accounts import emails

def send_invitation_email(membership):
    emails.invitation(membership.user, membership.tenant).send()
"""


def test_scan_finds_a_message_sent_through_a_factory_of_another_module():
    found = scan({"accounts/emails.py": OLD_ACCOUNTS_EMAILS, "accounts/tasks.py": "\n"})
    assert found == ["accounts/emails.py:2: imports EmailMessage from django.core.mail"]
    found = scan({"accounts/emails.py": "\n", "accounts/tasks.py": OLD_ACCOUNTS_TASKS})
    assert found == []  # the factory's annotation is what tells a message apart
    found = scan(
        {"accounts/emails.py": OLD_ACCOUNTS_EMAILS, "accounts/tasks.py": OLD_ACCOUNTS_TASKS}
    )
    assert "accounts/tasks.py:5: calls .send() on an e-mail message" in found


def test_scan_finds_sending_functions_and_messages_in_variables():
    source = """
import django.core.mail
from django.core import mail
from theke.messaging.mime import OutboxEmail

def notify(user, message: "EmailMultiAlternatives | None" = None):
    mail.send_mail("s", "b", None, [user.email])
    django.core.mail.mail_admins("s", "b")
    email = OutboxEmail(subject="s")
    email.send()
    message.send(fail_silently=True)
    connection.send_messages([email])
"""
    assert [finding.split(": ", 1)[1] for finding in scan({"x.py": source})] == [
        "imports django.core.mail",
        "imports django.core.mail",
        "imports OutboxEmail from theke.messaging.mime",
        "calls send_mail()",
        "calls mail_admins()",
        "calls .send() on an e-mail message",
        "calls .send() on an e-mail message",
        "calls send_messages()",
    ]


def test_scan_leaves_other_senders_alone():
    source = """
from email.message import EmailMessage

class Form:
    def send_mail(self, subject, body):  # an override Django calls, not a call
        queue_message(subject, body)

def deliver(backend, sender, webhook, sms, raw: EmailMessage):
    backend.send(sms)
    sender.send(webhook)
    signal.send(sender=None)
    return raw
"""
    assert scan({"x.py": source}) == []

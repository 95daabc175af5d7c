import importlib

from theke.accounts.permissions import default_roles

migration = importlib.import_module("theke.accounts.migrations.0003_messaging_permissions")


def test_codes_added_to_existing_roles_match_the_default_roles():
    defaults = default_roles()
    for role_name, codes in migration.ADDED.items():
        assert set(codes) <= defaults[role_name], role_name
        messaging_defaults = {c for c in defaults[role_name] if c.startswith("messaging.")}
        assert messaging_defaults - {"messaging.manage_templates"} == set(codes), role_name

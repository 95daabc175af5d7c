"""Existing customers get the duplicate search's match keys (theke.customers.duplicates),
in batches of 1,000 customers: three reads and one bulk insert per batch."""

from collections import defaultdict

from django.db import migrations

from theke.customers.duplicates import PersonFacts, customer_match_keys

BATCH = 1000


def _grouped(model, ids):
    grouped = defaultdict(list)
    for row in model.objects.filter(customer_id__in=ids):
        grouped[row.customer_id].append(row)
    return grouped


def fill_match_keys(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Contact = apps.get_model("customers", "Contact")
    Location = apps.get_model("customers", "Location")
    Vehicle = apps.get_model("customers", "Vehicle")
    CustomerMatchKey = apps.get_model("customers", "CustomerMatchKey")
    rows = Customer.objects.order_by("pk").only("pk", "tenant_id", "first_name", "last_name")
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1].pk
        ids = [customer.pk for customer in batch]
        contacts = _grouped(Contact, ids)
        locations = _grouped(Location, ids)
        vehicles = _grouped(Vehicle, ids)
        keys = []
        for customer in batch:
            people = contacts[customer.pk]
            names = [(customer.first_name, customer.last_name)]
            names += [(c.first_name, c.last_name) for c in people]
            facts = PersonFacts(
                names=list(dict.fromkeys(names)),
                postal_codes=[loc.postal_code for loc in locations[customer.pk]],
                emails=[c.email for c in people],
                phones=[str(p) for c in people for p in (c.phone, c.mobile_phone) if p],
                plates=[v.license_plate for v in vehicles[customer.pk]],
                vins=[v.vin for v in vehicles[customer.pk]],
            )
            keys += [
                CustomerMatchKey(
                    tenant_id=customer.tenant_id, customer_id=customer.pk, kind=kind, key=key
                )
                for kind, key in sorted(customer_match_keys(facts))
            ]
        CustomerMatchKey.objects.bulk_create(keys, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_customer_match_key"),
    ]

    operations = [
        migrations.RunPython(fill_match_keys, migrations.RunPython.noop),
    ]

from theke.portal.access import assets_of, locations_of
from theke.portal.tests.world import World
from theke.tenants.scoping import tenant_scope


def test_orderer_sees_only_the_granted_location_and_its_containers(world: World) -> None:
    with tenant_scope(world.tenant):
        assert list(locations_of(world.orderer)) == [world.locations[0]]
        assert set(assets_of(world.orderer)) == set(world.assets[:2])
        assert locations_of(world.admin).count() == 3
        assert world.other_location not in locations_of(world.admin)

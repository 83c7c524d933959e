"""Every URL pattern, every role: anonymous → login; outsiders → 404; viewers cannot write.

The sweep walks the URL configuration itself, so a new page is covered the day it
is added: a pattern without an entry in OBJECT_KWARGS makes the test fail.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from procurement.core.models import ExportJob
from procurement.inventory.models import ImportBatch

SKIPPED_NAMESPACES = {"admin"}  # Django's admin has its own staff-only login
PUBLIC = {"login"}


def named_patterns(resolver=None, namespace=None):
    """(namespaced name, whether the route takes arguments) of every named URL."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from named_patterns(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = pattern.name if namespace is None else f"{namespace}:{pattern.name}"
            yield name, bool(pattern.pattern.converters)


@pytest.fixture
def batch_a(alice):
    return ImportBatch.objects.create(user=alice, kind="systems", filename="a.csv")


@pytest.fixture
def export_job_a(alice):
    return ExportJob.objects.create(user=alice, list_name="inventory:system-list", basename="systems")


@pytest.fixture
def objects_of_a(system_a, contract_a, directive, batch_a, export_job_a):
    """URL kwargs that point at agency A's objects, per URL name."""
    return {
        "inventory:system-detail": {"pk": system_a.pk},
        "inventory:system-edit": {"pk": system_a.pk},
        "inventory:system-transition": {"pk": system_a.pk},
        "inventory:contract-detail": {"pk": contract_a.pk},
        "inventory:contract-edit": {"pk": contract_a.pk},
        "inventory:import-preview": {"batch_id": batch_a.pk},
        "inventory:directive-dashboard": {"pk": directive.pk},
        "inventory:import-upload": {"kind": "systems"},
        "inventory:import-template": {"kind": "systems", "file_format": "csv"},
        "core:export-job": {"pk": export_job_a.pk},
        "core:export-progress": {"pk": export_job_a.pk},
        "core:export-download": {"pk": export_job_a.pk},
    }


# URLs that name one agency's object: outsiders must get 404 there.
AGENCY_OBJECT_URLS = {
    "inventory:system-detail",
    "inventory:system-edit",
    "inventory:system-transition",
    "inventory:contract-detail",
    "inventory:contract-edit",
    "inventory:import-preview",
    "core:export-job",  # an export belongs to the user who asked for it
    "core:export-progress",
    "core:export-download",
}
POST_ONLY = {"inventory:system-transition", "logout"}  # a GET there says "method not allowed" before any lookup
WRITE_URLS = {
    "inventory:system-create",
    "inventory:system-edit",
    "inventory:system-transition",
    "inventory:contract-create",
    "inventory:contract-edit",
}


def urls(objects_of_a):
    for name, _ in named_patterns():
        yield name, reverse(name, kwargs=objects_of_a.get(name, {}))


def test_every_pattern_is_known(objects_of_a):
    """Fails when a page is added without deciding which objects it shows."""
    for name, takes_arguments in named_patterns():
        assert not takes_arguments or name in objects_of_a, f"add {name} to objects_of_a"


def test_anonymous_is_sent_to_login(client, objects_of_a):
    for name, url in urls(objects_of_a):
        if name in PUBLIC:
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (name, method)
            assert response.url.startswith(reverse("login")), name


def test_another_agency_gets_404_on_every_object(client, bob, objects_of_a):
    client.force_login(bob)
    for name, url in urls(objects_of_a):
        if name in AGENCY_OBJECT_URLS:
            assert client.get(url).status_code == (405 if name in POST_ONLY else 404), name
            assert client.post(url, {"to_status": "assessed", "name": "x"}).status_code == 404, name


def test_viewer_cannot_write(client, victor, objects_of_a, system_a, contract_a):
    client.force_login(victor)
    for name, url in urls(objects_of_a):
        if name in WRITE_URLS:
            assert client.post(url, {"to_status": "assessed", "name": "x"}).status_code in (403, 302), name
    system_a.refresh_from_db()
    assert system_a.status == "identified" and system_a.name == "Taxpayer chat assistant"
    assert not system_a.status_changes.exists()
    assert client.get(reverse("inventory:system-edit", args=[system_a.pk])).status_code == 403
    assert client.get(reverse("inventory:contract-edit", args=[contract_a.pk])).status_code == 403


def test_every_page_renders_for_its_owner(client, alice, objects_of_a):
    client.force_login(alice)
    for name, url in urls(objects_of_a):
        if name in PUBLIC or name in POST_ONLY:
            continue
        response = client.get(url)
        assert response.status_code in (200, 302), name


def test_lists_and_exports_hide_other_agencies(client, bob, system_a, contract_a):
    client.force_login(bob)
    for url_name in ("inventory:system-list", "inventory:contract-list"):
        page = client.get(reverse(url_name)).content.decode()
        assert system_a.fisma_id not in page
        exported = b"".join(client.get(reverse(url_name), {"export": "csv"}).streaming_content).decode()
        assert system_a.fisma_id not in exported and contract_a.contract_number not in exported


def test_filter_choices_hide_other_agencies(client, bob, agency_a, component_a):
    client.force_login(bob)
    form = client.get(reverse("inventory:system-list")).context["filter"].form
    names = [agency.name for agency in form.fields["agency"].queryset]
    assert names == ["Department of Defense"]
    assert client.get(reverse("inventory:system-list"), {"agency": agency_a.pk}).context["filter"].errors


def test_department_membership_covers_components(client, alice, system_a):
    client.force_login(alice)  # alice is a member of the department; system_a is in its component
    assert client.get(system_a.get_absolute_url()).status_code == 200

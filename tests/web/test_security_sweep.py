"""Every route of the URL map, on a world holding real data (the demo seed): GETs change nothing, every
page carries the security headers and no inline script, no link or redirect carries a phone number or
a citizen ID, and every form POST without a valid CSRF token is refused without touching the data.

The rules are enumerated from the app, so a new route is covered at once; a route this module cannot
request (an argument it cannot fill, a page its user cannot open) fails naming the route.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from werkzeug.routing.rules import Rule

import postal_hub.demo.seed as demo_seed
from postal_hub import create_app
from postal_hub.core.files import LocalFileStore
from postal_hub.extensions import db
from tests import factories
from tests.conftest import TEST_CONFIG, _bound_app
from tests.fakes import FixedClock

DEMO_PASSWORD = demo_seed.DEMO_PASSWORD
UNIT = "000.00.01.H26"
SAMPLE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _rules() -> list[Rule]:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


RULES = _rules()
GET_RULES = [r for r in RULES if "GET" in (r.methods or ())]
WRITE_RULES = [
    r
    for r in RULES
    if not r.rule.startswith("/api/") and {"POST", "PATCH", "DELETE", "PUT"} & set(r.methods or ())
]
API_WRITE_RULES = [
    r
    for r in RULES
    if r.rule.startswith("/api/") and {"POST", "PATCH", "DELETE", "PUT"} & set(r.methods or ())
]
# The API's writes that need no key (API.md): booking a pickup, and managing it with X-Manage-Token.
API_PUBLIC_WRITES = {"api.create_pickup", "api.reschedule_pickup", "api.cancel_pickup"}

# Who opens each page (default: the system administrator); the demo seed's users.
GET_ROLE: dict[str, str | None] = {
    "auth.sign_in_page": None,  # a signed-in user is sent home from it
    "handoff.custody_chain": "officer",
    "handoff.custody_checkpoint_file": "officer",
    "delivery.unit_counter": "officer",
    "delivery.result_ready": "officer",
    "handoff.manifest_new": "clerk",
    "intake.accept_page": "clerk",
    "pickup.my_route": "postman",
    "pickup.route_sheet": "manager",
    "delivery_remittance.export_csv": "officer",
    "delivery_remittance.export_xlsx": "officer",
    "webhooks.api_keys_page": "manager",
}
# Query strings some pages need to show something (the path alone is a form or a 4xx).
GET_QUERY = {
    "intake.accept_page": "procedure={procedure_code}",
    "pickup.route_sheet": "office={office_id}&postman={postman_id}",
    "pickup.manage_page": "token={pickup_token}",
    "delivery.result_page": "token={result_token}",
    "api.pickup_slots": "procedure_code={procedure_code}&date=2026-11-23&lat=21.0285&lon=105.8542",
    "api.post_offices": "lat=21.0285&lon=105.8542",
}
# Who fills in each part's forms (a user allowed to use them; None: a visitor, signed in or not).
POST_ROLE_BY_PREFIX = [
    ("/admin/", "admin"),
    ("/contracts/", "supervisor"),
    ("/statements/", "supervisor"),
    ("/custody/", "officer"),
    ("/deliveries/", "postman"),
    ("/desk", "clerk"),
    ("/dossiers/", "officer"),
    ("/manifests/", "clerk"),
    ("/notifications/", "manager"),
    ("/pickups/", "manager"),
    ("/training/", "trainer"),
    ("/webhooks/", "manager"),
    ("/pickup", None),  # the citizen's own pages
    ("/results/", None),
    ("/sign-in", None),
    ("/language", None),
    ("/sign-out", "citizen"),
]
ROLES = ("admin", "clerk", "postman", "manager", "officer", "supervisor", "trainer", "citizen")
# Statuses a page may answer its allowed user with, besides 200.
GET_STATUS = {"pickup.manage_page": {200, 302}, "delivery.result_page": {200, 302}}
# Nothing legitimately changes on a read here except what is listed (table: why).
TOUCHED_ON_READ = {
    "api_keys": "last_used_at: an API key records when it was last used (GET /api/v1/... with a key)",
}


@dataclass
class World:
    app: Flask
    connection: sa.Connection
    clock: FixedClock
    ids: dict[str, Any]
    phones: set[str]
    citizen_ids: set[str]
    initial: dict[str, str] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    fetched: dict[tuple[str, str], Any] = field(default_factory=dict)

    def writes_during(self, action: Any) -> tuple[Any, list[str]]:
        """What `action()` returns, and every data-changing statement it sent to the database."""
        self.writes.clear()
        result = action()
        found = [w for w in self.writes if not any(w.startswith(f"{t} ") for t in TOUCHED_ON_READ)]
        self.writes.clear()
        return result, found

    def client(self, role: str | None) -> FlaskClient:
        if role is None:
            return self.app.test_client()
        if role not in self.clients:
            client = self.app.test_client()
            answer = client.post("/sign-in", data={"username": role, "password": DEMO_PASSWORD})
            assert answer.status_code == 302, f"the demo user {role} cannot sign in"
            self.clients[role] = client
        return self.clients[role]


def _one(conn: sa.Connection, sql: str, **params: Any) -> Any:
    value = conn.execute(sa.text(sql), params).scalar()
    assert value is not None, f"the world has nothing for: {sql}"
    return value


def _ids(conn: sa.Connection, secret: str) -> dict[str, Any]:
    from postal_hub.delivery import tokens as delivery_tokens
    from postal_hub.pickup import tokens as pickup_tokens

    pickup_ref, pickup_salt = conn.execute(
        sa.text("select reference, manage_salt from pickups order by id")
    ).first()  # type: ignore[misc]
    delivered, delivery_salt = conn.execute(
        sa.text(
            "select d.code, v.manage_salt from dossiers d join deliveries v on v.dossier_id = d.id "
            "join delivery_attempts a on a.delivery_id = v.id where a.signature_sha256 is not null "
            "order by d.id"
        )
    ).first()  # type: ignore[misc]
    return {
        "office_id": _one(conn, "select id from post_offices where code = '100000'"),
        "operator_id": _one(conn, "select id from organizations where kind = 'postal_operator'"),
        "unit_id": _one(conn, "select id from organizations where code = :c", c=UNIT),
        "procedure_id": _one(conn, "select min(id) from procedures"),
        "procedure_code": _one(conn, "select code from procedures where postal_allowed order by id"),
        "user_id": _one(conn, "select id from users where username = 'clerk'"),
        "postman_id": _one(conn, "select id from users where username = 'postman'"),
        "contract_id": _one(conn, "select min(id) from contracts"),
        "draft_contract_id": _one(conn, "select min(id) from contracts where status = 'draft'"),
        "document_id": _one(conn, "select min(id) from contract_documents"),
        "point_id": _one(conn, "select min(id) from custody_checkpoints"),
        "dossier_code": delivered,
        "received_code": _one(conn, "select min(code) from dossiers where status = 'received'"),
        "scan": conn.execute(
            sa.text(
                "select d.code, f.id from dossier_files f "
                "join dossiers d on d.id = f.dossier_id order by f.id"
            )
        ).first(),
        "manifest_number": _one(conn, "select min(number) from manifests"),
        "pickup_reference": pickup_ref,
        "pickup_token": pickup_tokens.manage_token(secret, pickup_ref, pickup_salt),
        "result_token": delivery_tokens.manage_token(secret, delivered, delivery_salt),
        "statement_id": _one(conn, "select min(id) from statements"),
        "certificate_id": _one(conn, "select min(id) from certificates"),
        "certificate_number": _one(conn, "select min(number) from certificates"),
        "course_id": _one(conn, "select min(id) from courses"),
        "session_id": _one(conn, "select min(id) from training_sessions"),
        "open_session_id": _one(conn, "select max(id) from training_sessions"),
        "group_id": _one(conn, "select max(id) from procedure_groups"),
        "endpoint_id": _one(conn, "select min(id) from webhook_endpoints"),
        "key_id": _one(conn, "select min(id) from api_keys"),
        "enrolment_id": _one(conn, "select min(id) from enrolments"),
        "line_id": _one(conn, "select min(id) from manifest_lines"),
        "message_id": conn.execute(sa.text("select min(id) from webhook_messages")).scalar() or 1,
        "api_key": "",
    }


@pytest.fixture(scope="module")
def world(
    database_url: str, database_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The demo seed (without its months of history) plus what it leaves empty, in one transaction
    rolled back after the module: seeding takes seconds, and every test here only reads it."""
    from postal_hub.contracts import services as contract_services
    from postal_hub.contracts.models import Contract
    from postal_hub.core.custody import services as custody
    from postal_hub.core.orgs.models import Organization
    from postal_hub.core.users.models import User

    conn = database_engine.connect()
    outer = conn.begin()
    clock = FixedClock()
    app = _bound_app(database_url, conn, clock)
    app.extensions["file_store"] = LocalFileStore(tmp_path_factory.mktemp("files"))
    secret = str(app.config["SECRET_KEY"])
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(demo_seed, "seed_history", lambda *args, **kwargs: 0)
        demo_seed.seed_demo(db.session, secret, clock.now(), app.extensions["file_store"])
        unit = db.session.scalars(sa.select(Organization).where(Organization.code == UNIT)).one()
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        factories.webhook_endpoint(db.session, unit)
        contract_services.attach_document(
            db.session,
            admin,
            db.session.scalars(sa.select(Contract).order_by(Contract.id).limit(1)).one(),
            "signed.pdf",
            "application/pdf",
            SAMPLE_PDF,
            app.extensions["file_store"],
            clock.now(),
        )
        custody.make_checkpoint(db.session, unit, clock.now(), secret)
        db.session.commit()
        personal = {
            column: {
                value
                for table in ("dossiers", "pickups")
                for (value,) in db.session.execute(sa.text(f"select {column} from {table}"))  # noqa: S608
                if value
            }
            for column in ("applicant_phone", "applicant_citizen_id")
        }
    ids = _ids(conn, secret)
    ids["api_key"] = (
        "ph_" + hashlib.sha256(demo_seed.demo_api_key_secret(secret, UNIT).encode()).hexdigest()[:8]
    )
    ids["api_key"] += "_" + demo_seed.demo_api_key_secret(secret, UNIT)
    found = World(app, conn, clock, ids, personal["applicant_phone"], personal["applicant_citizen_id"])
    for role in ROLES:  # signed in once, before CSRF is switched on for the form tests
        found.client(role)
    found.initial = checksum(conn)
    sa.event.listen(conn, "before_cursor_execute", _recorder(found.writes))
    yield found
    outer.rollback()
    conn.close()


WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|MERGE\s+INTO"
    r"|TRUNCATE|CREATE|DROP|ALTER)\s+(?:TABLE\s+)?\"?(\w+)",
    re.I,
)


def _recorder(writes: list[str]) -> Any:
    """Every INSERT/UPDATE/DELETE (or DDL) any request sends through the world's connection, by table:
    stronger than comparing rows, it also catches a write of an unchanged value."""

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if match := WRITE.match(statement):
            writes.append(f"{match.group(1).lower()} {statement.split()[0].upper()}")

    return record


def checksum(conn: sa.Connection) -> dict[str, str]:
    """A digest of every row of every table (alembic's own excepted)."""
    sums = {}
    for table in sorted(sa.inspect(conn).get_table_names()):
        if table == "alembic_version" or table in TOUCHED_ON_READ:
            continue
        digest = hashlib.sha256()
        for row in sorted(repr(tuple(row)) for row in conn.execute(sa.text(f'SELECT * FROM "{table}"'))):  # noqa: S608
            digest.update(row.encode())
        sums[table] = digest.hexdigest()
    return sums


def _arguments(rule: Rule, ids: dict[str, Any]) -> dict[str, Any]:
    endpoint = rule.endpoint
    by_endpoint: dict[str, dict[str, Any]] = {
        "admin.unit_edit": {"org_id": ids["unit_id"]},
        "admin.organization_edit": {"org_id": ids["operator_id"]},
        "admin.organization_active": {"org_id": ids["operator_id"]},
        "admin.api_key_new": {"org_id": ids["unit_id"]},
        "contracts.contract_edit": {"contract_id": ids["draft_contract_id"]},
        "intake.scan_file": {"code": ids["scan"][0], "file_id": ids["scan"][1]},
        "delivery.result_ready": {"code": ids["received_code"]},
        "delivery.proof_file": {"code": ids["dossier_code"], "number": 1, "kind": "signature"},
        "contracts.statement_export": {"statement_id": ids["statement_id"], "fmt": "csv"},
        "training.session_edit": {"session_id": ids["open_session_id"]},
        "training.verify_certificate": {"number": ids["certificate_number"]},
        "monitoring.report_page": {"unit_code": UNIT, "quarter": "2026-Q4"},
        "monitoring.report_xlsx_download": {"unit_code": UNIT, "quarter": "2026-Q4"},
        "intake.procedure_page": {"code": ids["procedure_code"]},
        "places.communes": {"code": "01"},
        "static": {"filename": "css/app.css"},
    }
    by_name: dict[str, Any] = {
        "office_id": ids["office_id"],
        "org_id": ids["operator_id"],
        "procedure_id": ids["procedure_id"],
        "user_id": ids["user_id"],
        "contract_id": ids["contract_id"],
        "document_id": ids["document_id"],
        "point_id": ids["point_id"],
        "code": ids["dossier_code"],
        "number": ids["manifest_number"],
        "reference": ids["pickup_reference"],
        "statement_id": ids["statement_id"],
        "certificate_id": ids["certificate_id"],
        "course_id": ids["course_id"],
        "session_id": ids["session_id"],
        "group_id": ids["group_id"],
        "endpoint_id": ids["endpoint_id"],
        "id": ids["endpoint_id"],
        "key_id": ids["key_id"],
        "enrolment_id": ids["enrolment_id"],
        "line_id": ids["line_id"],
        "message_id": ids["message_id"],
        "province_code": "01",
    }
    values = dict(by_endpoint.get(endpoint, {}))
    for name in rule.arguments:
        if name not in values:
            if name not in by_name:
                pytest.fail(f"{endpoint} ({rule.rule}): no value for <{name}>; add it to _arguments")
            values[name] = by_name[name]
    return values


def _url(world: World, rule: Rule) -> str:
    with world.app.test_request_context():
        path = url_for(rule.endpoint, **_arguments(rule, world.ids))
    query = GET_QUERY.get(rule.endpoint)
    return f"{path}?{query.format(**world.ids)}" if query else path


def _headers(world: World, rule: Rule) -> dict[str, str]:
    if rule.endpoint == "api.get_pickup":
        return {"X-Manage-Token": world.ids["pickup_token"]}
    if rule.rule.startswith("/api/"):
        return {"Authorization": f"Bearer {world.ids['api_key']}"}
    return {}


@dataclass
class Fetched:
    status: int
    headers: Any
    body: bytes
    mimetype: str
    changed: list[str]
    cookies: list[str]


def fetch(world: World, rule: Rule, role: str | None) -> Fetched:
    """GET the rule once per user kind (cached for the module), with the tables' checksum around it."""
    key = (rule.endpoint, role or "anonymous")
    if key not in world.fetched:
        client = world.client(role)
        url, headers = _url(world, rule), _headers(world, rule)
        response, writes = world.writes_during(lambda: client.get(url, headers=headers))
        world.fetched[key] = Fetched(
            response.status_code,
            response.headers,
            response.get_data(),
            response.mimetype or "",
            writes,
            response.headers.getlist("Set-Cookie"),
        )
    result: Fetched = world.fetched[key]
    return result


def _role(rule: Rule) -> str | None:
    if rule.rule.startswith("/api/"):
        return "citizen"  # the API ignores the browser session: the key (or token) is what counts
    return GET_ROLE.get(rule.endpoint, "admin")


IDS = [r.endpoint for r in GET_RULES]


@pytest.mark.parametrize("rule", GET_RULES, ids=IDS)
def test_every_page_opens_for_a_user_allowed_to_see_it(world: World, rule: Rule) -> None:
    page = fetch(world, rule, _role(rule))
    allowed = GET_STATUS.get(rule.endpoint, {200})
    assert page.status in allowed, (
        f"{rule.endpoint} ({_url(world, rule)}) answered {page.status} to {_role(rule)}: "
        "give it a user (GET_ROLE), arguments or a query string that can open it"
    )


@pytest.mark.parametrize("rule", GET_RULES, ids=IDS)
def test_a_get_by_an_allowed_user_changes_nothing_in_the_database(world: World, rule: Rule) -> None:
    assert fetch(world, rule, _role(rule)).changed == []


@pytest.mark.parametrize("rule", GET_RULES, ids=IDS)
def test_an_anonymous_get_changes_nothing_and_is_never_a_server_error(world: World, rule: Rule) -> None:
    page = fetch(world, rule, None)
    assert page.status < 500
    assert page.changed == []


def _security_headers_problems(page: Fetched) -> list[str]:
    problems = []
    csp = page.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.split()}
    scripts = directives.get("script-src", directives.get("default-src"))
    if not csp or scripts is None:
        problems.append(f"no script policy in CSP {csp!r}")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts):
        problems.append(f"unsafe script-src {scripts}")
    if page.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if page.headers.get("X-Frame-Options") != "DENY" and directives.get("frame-ancestors") != ["'none'"]:
        problems.append("framing not denied")
    if "Strict-Transport-Security" in page.headers:
        problems.append("HSTS outside production")
    return problems


@pytest.mark.parametrize("rule", GET_RULES, ids=IDS)
@pytest.mark.parametrize("who", ["allowed", "anonymous"])
def test_every_response_carries_the_security_headers(world: World, rule: Rule, who: str) -> None:
    page = fetch(world, rule, _role(rule) if who == "allowed" else None)
    assert _security_headers_problems(page) == [], rule.endpoint


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


@pytest.mark.parametrize("rule", GET_RULES, ids=IDS)
@pytest.mark.parametrize("who", ["allowed", "anonymous"])
def test_no_page_holds_inline_script(world: World, rule: Rule, who: str) -> None:
    page = fetch(world, rule, _role(rule) if who == "allowed" else None)
    if page.mimetype != "text/html":
        return
    html = page.body.decode("utf-8", "replace")
    found = INLINE_SCRIPT.findall(html) + EVENT_HANDLER.findall(html) + JS_URL.findall(html)
    assert found == [], f"{rule.endpoint}: {found[:3]}"


LINK = re.compile(r"""(?:href|action|src|formaction)\s*=\s*["']([^"']*)["']""", re.I)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("rule", GET_RULES, ids=IDS)
@pytest.mark.parametrize("who", ["allowed", "anonymous"])
def test_no_link_or_redirect_carries_a_phone_number_or_a_citizen_id(
    world: World, rule: Rule, who: str
) -> None:
    page = fetch(world, rule, _role(rule) if who == "allowed" else None)
    targets = [page.headers.get("Location", "")]
    if page.mimetype == "text/html":
        targets += LINK.findall(page.body.decode("utf-8", "replace"))
    secrets = {_digits(p)[-9:] for p in world.phones} | {_digits(c) for c in world.citizen_ids}
    # Addresses a browser sends to a server (and its logs, history, referrers); a tel: link only dials.
    web = [t for t in targets if t and urlsplit(t).scheme in ("", "http", "https")]
    leaking = [t for t in web if any(s and s in _digits(t) for s in secrets)]
    assert leaking == [], f"{rule.endpoint}: {leaking[:3]}"


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)
FIELD_NAME = re.compile(r"""<(?:input|select|textarea)\b[^>]*\bname\s*=\s*["']([^"']+)["']""", re.I)
PERSONAL_FIELDS = re.compile(r"phone|citizen|id_digits|id_number|cccd", re.I)


@pytest.mark.parametrize("rule", GET_RULES, ids=IDS)
@pytest.mark.parametrize("who", ["allowed", "anonymous"])
def test_a_form_asking_for_a_phone_number_or_a_citizen_id_is_sent_by_post(
    world: World, rule: Rule, who: str
) -> None:
    """A GET form would put what the person typed into the address, the history and the access logs."""
    page = fetch(world, rule, _role(rule) if who == "allowed" else None)
    if page.mimetype != "text/html":
        return
    by_get = []
    for attributes, inner in FORM.findall(page.body.decode("utf-8", "replace")):
        method = re.search(r"""\bmethod\s*=\s*["']?(\w+)""", attributes, re.I)
        if (method.group(1).lower() if method else "get") == "get":
            by_get += [name for name in FIELD_NAME.findall(inner) if PERSONAL_FIELDS.search(name)]
    assert by_get == [], rule.endpoint


def test_the_world_holds_phone_numbers_and_citizen_ids_to_look_for(world: World) -> None:
    assert world.phones and world.citizen_ids


def test_no_route_takes_a_phone_number_or_a_citizen_id_in_its_path() -> None:
    suspicious = [r.rule for r in RULES if re.search(r"<[^>]*(phone|citizen|cccd|id_number)[^>]*>", r.rule)]
    assert suspicious == []


# ---- CSRF ------------------------------------------------------------------------------------------


def _post_role(rule: Rule) -> str | None:
    for prefix, role in POST_ROLE_BY_PREFIX:
        if rule.rule.startswith(prefix):
            return role
    pytest.fail(f"{rule.endpoint} ({rule.rule}): say who uses this form in POST_ROLE_BY_PREFIX")


@pytest.fixture
def csrf_on(world: World) -> Iterator[World]:
    world.app.config["WTF_CSRF_ENABLED"] = True
    yield world
    world.app.config["WTF_CSRF_ENABLED"] = False


def _someone_elses_token(world: World) -> str:
    """A genuine token, signed by this app, but of another visitor's session."""
    page = world.app.test_client().get("/sign-in").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


WRITE_IDS = [r.endpoint for r in WRITE_RULES]


@pytest.mark.parametrize("rule", WRITE_RULES, ids=WRITE_IDS)
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_a_form_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(
    csrf_on: World, rule: Rule, token: str
) -> None:
    world = csrf_on
    role = _post_role(rule)
    client = world.client(role)
    with world.app.test_request_context():
        url = url_for(rule.endpoint, **_arguments(rule, world.ids))
    data = {"csrf_token": _someone_elses_token(world)} if token == "wrong" else {}
    method = next(m for m in ("POST", "PATCH", "DELETE", "PUT") if m in (rule.methods or ()))
    response, writes = world.writes_during(lambda: client.open(url, method=method, data=data))
    assert response.status_code == 400, f"{rule.endpoint} as {role}: {response.status_code}"
    # The app's own "form expired" page (its Vietnamese title), not a bare 400.
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert writes == []


API_KEYED_WRITES = [r for r in API_WRITE_RULES if r.endpoint not in API_PUBLIC_WRITES]


@pytest.mark.parametrize("rule", API_KEYED_WRITES, ids=[r.endpoint for r in API_KEYED_WRITES])
def test_an_api_write_with_only_a_signed_in_session_cookie_is_refused(world: World, rule: Rule) -> None:
    client = world.client("admin")
    with world.app.test_request_context():
        url = url_for(rule.endpoint, **_arguments(rule, world.ids))
    method = next(m for m in ("POST", "PATCH", "DELETE", "PUT") if m in (rule.methods or ()))
    response, writes = world.writes_during(lambda: client.open(url, method=method, json={}))
    assert response.status_code == 401
    assert writes == []


API_PUBLIC = [r for r in API_WRITE_RULES if r.endpoint in API_PUBLIC_WRITES]


@pytest.mark.parametrize("rule", API_PUBLIC, ids=[r.endpoint for r in API_PUBLIC])
def test_a_public_api_write_sent_as_a_cross_site_form_changes_nothing(world: World, rule: Rule) -> None:
    """What a hostile page can make a browser send (a form, with the session cookie) books nothing."""
    client = world.client("citizen")
    with world.app.test_request_context():
        url = url_for(rule.endpoint, **_arguments(rule, world.ids))
    method = next(m for m in ("POST", "PATCH", "DELETE", "PUT") if m in (rule.methods or ()))
    data = {"procedure_code": world.ids["procedure_code"]}
    response, writes = world.writes_during(lambda: client.open(url, method=method, data=data))
    assert 400 <= response.status_code < 500
    assert writes == []


def test_the_write_recorder_sees_a_form_that_saves(world: World) -> None:
    """The control for every `writes == []` above: a POST that does save is caught (and undone)."""
    savepoint = world.connection.begin_nested()
    try:
        _, writes = world.writes_during(lambda: world.client("manager").post("/notifications/read"))
    finally:
        savepoint.rollback()
    assert any(w.startswith("notifications ") for w in writes)


def test_after_every_request_above_every_row_of_every_table_is_as_it_was(world: World) -> None:
    """The row-by-row digest of the whole database, taken before the first request of this module."""
    now = checksum(world.connection)
    assert [table for table in world.initial if world.initial[table] != now.get(table)] == []

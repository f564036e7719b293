"""Load test: stakeholders filling their role-matrix rows, adding SWOT items and voting, and coordinators
browsing dashboards, against a local gunicorn (loopback only). Run by bench/load.sh (`make load`).

Identities come from bench/.work/load_users.json (written by bench/load_setup.py): one session cookie
per simulated person, so nobody logs in with a password. Every write the server acknowledged (a
redirect after the POST) is appended to bench/.work/acks.jsonl with its unique marker; bench/load_check.py
then verifies each one in the database (none lost, none duplicated).

Request names: "GET <page>" are reads, "POST <action>" are writes (their forms are fetched as
"GET <action> form").
"""

import itertools
import json
import os
import random
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

WORK = Path(os.environ.get("LOAD_WORK", Path(__file__).resolve().parent / ".work"))
USERS = json.loads((WORK / "load_users.json").read_text()) if (WORK / "load_users.json").exists() else {}
ACKS = WORK / "acks.jsonl"
_stakeholders = itertools.cycle(USERS.get("stakeholders", []))
_coordinators = itertools.cycle(USERS.get("coordinators", []))
_ack_file = None


@events.test_start.add_listener
def _open_acks(environment, **kwargs):
    global _ack_file
    _ack_file = ACKS.open("a", encoding="utf-8")


@events.test_stop.add_listener
def _close_acks(environment, **kwargs):
    if _ack_file:
        _ack_file.close()


def acknowledge(kind: str, **data) -> None:
    _ack_file.write(json.dumps({"kind": kind, **data}, ensure_ascii=False) + "\n")
    _ack_file.flush()


def marker(kind: str) -> str:
    return f"LOADMARK-{kind}-{uuid.uuid4().hex}"


class FormParser(HTMLParser):
    """The fields of every <form> on a page: {action: {name: value}} (first option of a select unless
    one is selected; checked checkboxes only)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict]] = []
        self._fields = None
        self._textarea = self._select = None
        self._select_first = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._fields = {}
            self.forms.append((a.get("action") or "", self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._fields[self._textarea] = ""
        elif tag == "select" and a.get("name"):
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None and value:
                self._select_first = value
                self._fields.setdefault(self._select, value)
            if "selected" in a:
                self._fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data


def form_with(html: str, field: str) -> dict | None:
    parser = FormParser()
    parser.feed(html)
    for _action, fields in parser.forms:
        if field in fields and "csrfmiddlewaretoken" in fields:
            return fields
    return None


class Base(HttpUser):
    abstract = True
    wait_time = between(5, 15)

    def on_start(self):
        self.me = next(self.pool)
        self.client.cookies.set("sessionid", self.me["cookie"])
        self.base = f"/r/{self.me['region']}/agenda/{self.me['year']}"

    def get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    def post(self, url: str, data: dict, name: str):
        with self.client.post(
            url,
            data=data,
            name=name,
            catch_response=True,
            allow_redirects=False,
            headers={"Referer": self.host + url},
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}")
            return response


class Stakeholder(Base):
    """A representative: edits their organisation's row, proposes SWOT items, votes."""

    weight = 20
    pool = _stakeholders

    def on_start(self):
        super().on_start()
        self.items: list[int] = []

    @task(2)
    def edit_role_row(self):
        url = f"{self.base}/roles/{self.me['entry']}/edit/"
        form = self.get(url, "GET role_edit form")
        fields = form_with(form.text, "version") if form.status_code == 200 else None
        if not fields:
            return
        mark = marker("role")
        fields["comment"] = mark
        fields["zone_of_responsibility"] = f"Зона відповідальності, оновлено {mark[-6:]}"
        response = self.post(url, fields, "POST role_edit")
        if response.status_code == 302:
            acknowledge("role", marker=mark, entry=self.me["entry"], user=self.me["email"])

    @task(2)
    def add_swot_item(self):
        url = f"{self.base}/swot/add/"
        form = self.get(url, "GET swot_add form")
        fields = form_with(form.text, "text_uk") if form.status_code == 200 else None
        if not fields:
            return
        mark = marker("swot")
        fields.update(quadrant=random.choice("SWOT"), text_uk=f"Пропозиція учасника {mark}", importance="3")
        response = self.post(url, fields, "POST swot_add")
        if response.status_code == 302:
            match = re.search(r"#swot-(\d+)", response.headers.get("Location", ""))
            acknowledge(
                "swot", marker=mark, item=int(match.group(1)) if match else None, user=self.me["email"]
            )

    @task(2)
    def vote(self):
        if not self.items:
            board = self.get(f"{self.base}/swot/", "GET swot_board")
            self.items = sorted({int(pk) for pk in re.findall(r"/swot/(\d+)/", board.text)})
            if not self.items:
                return
        item = random.choice(self.items)
        token = self.client.cookies.get("csrftoken")
        if not token:
            self.get(f"{self.base}/swot/add/", "GET swot_add form")
            token = self.client.cookies.get("csrftoken")
        response = self.post(
            f"{self.base}/swot/{item}/vote/", {"csrfmiddlewaretoken": token, "vote": "1"}, "POST swot_vote"
        )
        if response.status_code == 302:
            acknowledge("vote", item=item, user=self.me["email"])

    @task(1)
    def view_role_matrix(self):
        self.get(f"{self.base}/roles/", "GET role_matrix")


class Coordinator(Base):
    """A regional coordinator following the agenda's progress."""

    weight = 1
    pool = _coordinators

    @task(3)
    def region_dashboard(self):
        self.get(f"/r/{self.me['region']}/dashboard/", "GET region_dashboard")

    @task(2)
    def role_matrix(self):
        self.get(f"{self.base}/roles/", "GET role_matrix")

    @task(2)
    def swot_board(self):
        self.get(f"{self.base}/swot/", "GET swot_board")

    @task(1)
    def portfolio(self):
        self.get(f"{self.base}/portfolio/", "GET portfolio")

    @task(1)
    def timeline(self):
        self.get(f"/r/{self.me['region']}/sessions/timeline/", "GET session_timeline")

    @task(1)
    def directory(self):
        self.get(f"/r/{self.me['region']}/stakeholders/", "GET directory")

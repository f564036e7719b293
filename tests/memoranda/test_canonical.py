"""The canonical serialisation of a revision and its SHA-256: stable across runs, processes and
databases, insensitive to line endings and key order, sensitive to every word of the content."""

import json
import subprocess
import sys

import pytest

from agenda import memorandum_canonical as canonical
from agenda import memorandum_services as services
from agenda.models import MemorandumRevision

from .conftest import build_world, draft, open_memorandum

# The hash of the memorandum that `build_world()` + `draft()` produce. The same on SQLite and on
# PostgreSQL, on every run: the snapshot holds no database ids, no creation times and no collation-
# dependent order. If the snapshot format changes on purpose, bump canonical.FORMAT and update this.
GOLDEN_HASH = "b4a5e131f1658b89694665bcc577e6efcdb406d46073311219548c4e602ee3ee"


@pytest.mark.django_db
def test_hash_of_the_same_content_is_stable_across_runs_and_databases(world):
    memorandum = draft(world)
    MemorandumRevision.objects.filter(memorandum=memorandum).update(
        subject="Співпраця сторін",
        body="## Преамбула\n\nМи, сторони, домовилися про таке: ґрунтовна співпраця.",
    )
    revision = services.current_revision(memorandum)
    snapshot = canonical.revision_snapshot(revision)

    assert canonical.content_hash(snapshot) == GOLDEN_HASH
    assert not _keys_ending_in_id(snapshot)


def _keys_ending_in_id(value) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value if k == "id" or k.endswith("_id")] + [
            x for v in value.values() for x in _keys_ending_in_id(v)
        ]
    if isinstance(value, list):
        return [x for v in value for x in _keys_ending_in_id(v)]
    return []


@pytest.mark.django_db
def test_two_identical_memoranda_in_one_database_hash_alike():
    first = draft(build_world("region-one", "UA-11"))
    second = draft(build_world("region-two", "UA-12"))

    hashes = {
        canonical.content_hash(canonical.revision_snapshot(services.current_revision(m)))
        for m in (first, second)
    }

    assert len(hashes) == 1


@pytest.mark.django_db
def test_stored_snapshot_hashes_like_the_live_one_after_a_database_round_trip(world):
    memorandum = open_memorandum(world)
    revision = MemorandumRevision.objects.get(memorandum=memorandum)

    assert canonical.content_hash(revision.content_snapshot) == revision.content_hash
    assert canonical.content_hash(canonical.revision_snapshot(revision)) == revision.content_hash


def test_line_endings_trailing_spaces_and_key_order_do_not_change_the_hash():
    a = {"body": "Перший рядок\nДругий рядок", "parties": [{"x": 1, "y": "Ґ"}], "title_uk": "Меморандум"}
    b = {
        "title_uk": "Меморандум  ",
        "parties": [{"y": "Ґ", "x": 1}],
        "body": "Перший рядок   \r\nДругий рядок\r\n",
    }

    assert canonical.content_hash(a) == canonical.content_hash(b)


def test_unicode_normalisation_makes_composed_and_decomposed_letters_equal():
    composed = {"title_uk": "Її"}  # U+0407 U+0457
    decomposed = {"title_uk": "І\u0308і\u0308"}

    assert canonical.content_hash(composed) == canonical.content_hash(decomposed)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(body=s["body"].replace("співпраця", "співпраця,")),
        lambda s: s["parties"][0].update(own_obligations="Інше зобов'язання"),
        lambda s: s.update(valid_until="2022-12-31"),
        lambda s: s["goals"].pop(),
    ],
)
@pytest.mark.django_db
def test_every_change_of_content_changes_the_hash(world, change):
    snapshot = canonical.revision_snapshot(services.current_revision(draft(world)))
    before = canonical.content_hash(snapshot)
    changed = json.loads(json.dumps(snapshot))
    change(changed)

    assert canonical.content_hash(changed) != before


def test_canonical_bytes_are_the_same_in_another_process_with_another_hash_seed():
    snapshot = {"b": ["Ї", {"z": 1, "a": None}], "a": True, "c": "2021-12-31"}
    code = (
        "import json,sys;from agenda.memorandum_canonical import content_hash;"
        "print(content_hash(json.loads(sys.argv[1])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(snapshot)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin"},
    ).stdout.strip()

    assert out == canonical.content_hash(snapshot)


def test_verification_codes_are_unambiguous_and_normalised():
    codes = {canonical.new_verification_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert len(code) == 14 and code[4] == code[9] == "-"
        assert not set(code.replace("-", "")) - set(canonical.CODE_ALPHABET)
    assert canonical.normalise_code(" khrs demx 2345 ") == "KHRS-DEMX-2345"

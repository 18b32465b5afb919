"""The command line as a user types it (click's runner, in process)."""

import json

import pytest

from newsgraph.cli import main

Q = ("PREFIX schema: <http://schema.org/> SELECT ?headline ?author WHERE { ?a schema:headline ?headline "
     "OPTIONAL { ?a schema:author/schema:name ?author } } ORDER BY ?headline")


@pytest.fixture
def loaded(runner, tmp_path, seeds_copy):
    store = str(tmp_path / "store")
    result = runner.invoke(main, ["load", "--store", store, str(seeds_copy)])
    assert result.exit_code == 0, result.output
    return store


def test_load_prints_a_summary(runner, tmp_path, seeds_copy):
    result = runner.invoke(main, ["load", "--store", str(tmp_path / "s"), str(seeds_copy)])
    assert result.exit_code == 0
    assert "2 article(s) loaded, 0 unchanged" in result.output


def test_query_table(runner, loaded):
    result = runner.invoke(main, ["query", "--store", loaded, Q])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("|")[0].strip() == "headline"
    assert "Deployment of Troops to Ukraine Considered by Two European Nations" in result.output
    assert "Camilla Jessen" in result.output
    assert lines[-1] == "(2 rows)"


def test_query_json_and_csv(runner, loaded):
    out = runner.invoke(main, ["query", "--store", loaded, "--format", "json", Q]).output
    rows = json.loads(out)["results"]["bindings"]
    assert {r["headline"]["value"] for r in rows} == {
        "Deployment of Troops to Ukraine Considered by Two European Nations",
        "Western Nations Revisit Troop Deployment to Ukraine"}
    csv = runner.invoke(main, ["query", "--store", loaded, "--format", "csv", Q]).output
    assert csv.splitlines()[0] == "headline,author"


def test_query_from_file_and_construct_as_turtle(runner, loaded, tmp_path):
    qfile = tmp_path / "q.rq"
    qfile.write_text("PREFIX schema: <http://schema.org/> CONSTRUCT { ?a schema:headline ?h } "
                     "WHERE { ?a schema:headline ?h }")
    result = runner.invoke(main, ["query", "--store", loaded, f"@{qfile}"])
    assert result.exit_code == 0
    assert "schema:headline" in result.output and "@prefix schema:" in result.output


def test_bad_query_is_a_clear_error(runner, loaded):
    result = runner.invoke(main, ["query", "--store", loaded, "SELECT ?x WHERE { ?x"])
    assert result.exit_code == 1
    assert "bad query" in result.output


def test_wrong_format_for_select(runner, loaded):
    result = runner.invoke(main, ["query", "--store", loaded, "--format", "ttl", Q])
    assert result.exit_code == 1
    assert "SELECT answer can be table, json" in result.output


def test_query_on_missing_store(runner, tmp_path):
    result = runner.invoke(main, ["query", "--store", str(tmp_path / "none"), "ASK {}"])
    assert result.exit_code == 1
    assert "no store here" in result.output


def test_load_failure_lines_and_exit_status(runner, tmp_path, seeds_copy):
    (seeds_copy / "broken.txt").write_bytes(b"")
    result = runner.invoke(main, ["load", "--store", str(tmp_path / "s"), str(seeds_copy)])
    assert result.exit_code == 1
    assert f"failed: {seeds_copy / 'broken.txt'}: empty file" in result.output
    assert "2 article(s) loaded" in result.output


def test_env_var_sets_the_store(runner, tmp_path, seeds_copy, monkeypatch):
    monkeypatch.setenv("NEWSGRAPH_STORE", str(tmp_path / "envstore"))
    assert runner.invoke(main, ["load", str(seeds_copy)]).exit_code == 0
    assert (tmp_path / "envstore" / "VERSION").exists()


def test_export_nquads_round_trips(runner, loaded, tmp_path):
    out = tmp_path / "dump.nq"
    assert runner.invoke(main, ["export", "--store", loaded, str(out)]).exit_code == 0
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    assert len(quads) > 400
    again = tmp_path / "again"
    result = runner.invoke(main, ["load", "--store", str(again), str(out)])
    assert result.exit_code == 0 and "1 RDF file(s)" in result.output


def test_export_to_a_folder_that_does_not_exist_names_it(runner, loaded, tmp_path):
    out = tmp_path / "no-such-folder" / "dump.nq"
    result = runner.invoke(main, ["export", "--store", loaded, str(out)])
    assert result.exit_code == 1
    assert f"{out}: cannot write" in result.output and "Traceback" not in result.output


def test_export_trig_to_stdout(runner, loaded):
    result = runner.invoke(main, ["export", "--store", loaded, "--format", "trig"])
    assert result.exit_code == 0
    assert "<http://localhost:8000/id/graph/" in result.output


def test_validate_reports_conformance(runner, loaded):
    result = runner.invoke(main, ["validate", "--store", loaded])
    assert result.exit_code == 0, result.output
    assert "Conforms: True" in result.output and "0 violation(s): conforms" in result.output


def test_every_command_has_help_and_is_in_the_readme():
    from newsgraph import PROJECT_DIR

    readme = (PROJECT_DIR / "README.md").read_text()
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, name
        assert f"newsgraph {name}" in readme, f"README does not show `newsgraph {name}`"


def test_ci_runs_the_readme_test_command():
    import re

    from newsgraph import PROJECT_DIR

    readme = (PROJECT_DIR / "README.md").read_text()
    commands = re.findall(r"^(python3 -m venv .*)$", readme, re.M)
    assert len(commands) == 2, "the quick start is two commands"
    ci = (PROJECT_DIR / ".ci" / "run").read_text()
    assert commands[1] in ci.splitlines()


class _Writes:
    """A binary file that keeps each write apart."""

    def __init__(self):
        self.parts = []

    def write(self, b):
        self.parts.append(bytes(b))
        return len(b)

    def flush(self):
        pass


@pytest.mark.parametrize("fmt, query", [
    ("csv", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"),
    ("nt", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
])
def test_a_query_answer_is_written_as_it_is_made(store, fmt, query):
    """`newsgraph query` writes a named format into standard output as it is made, never whole:
    20,000 rows come in many writes, and together they are the whole answer."""
    import pyoxigraph as ox

    from newsgraph.query import run_query

    g = ox.NamedNode("http://ex.org/g")
    store.replace_graphs({g: [ox.Quad(ox.NamedNode(f"http://ex.org/s{i}"), ox.NamedNode("http://ex.org/p"),
                                      ox.Literal(f"value {i}"), g) for i in range(20_000)]})
    whole = run_query(store, query, fmt, "http://localhost:8000/")
    out = _Writes()
    assert run_query(store, query, fmt, "http://localhost:8000/", out) is None
    assert len(whole) > 400_000 and b"".join(out.parts) == whole
    assert len(out.parts) > 10 and max(map(len, out.parts)) < len(whole) / 10


def _newsgraph(*args, **kwargs):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "newsgraph.cli", *args], stderr=subprocess.PIPE, **kwargs)


@pytest.mark.parametrize("command", [["query", "--format", "csv", "SELECT * WHERE { ?s ?p ?o }"],
                                     ["query", "SELECT * WHERE { ?s ?p ?o }"], ["export"]])
def test_an_answer_that_cannot_be_written_is_a_one_line_error(loaded, command):
    import os

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full (a device whose writes fail) on this system")
    with open("/dev/full", "wb") as full:
        proc = _newsgraph(*command, "--store", loaded, stdout=full)
        err = proc.communicate(timeout=120)[1].decode()
    assert proc.returncode == 1
    assert err.strip() == "Error: cannot write to standard output: No space left on device", err


@pytest.mark.parametrize("command", [["query", "--format", "csv", "SELECT * WHERE { ?s ?p ?o }"], ["export"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(loaded, command):
    """`newsgraph query ... | head -1`: the seeds' answer is larger than a pipe holds, so the
    command meets the closed pipe; it ends with status 0 and says nothing."""
    import subprocess

    proc = _newsgraph(*command, "--store", loaded, stdout=subprocess.PIPE)
    assert proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and err == ""

#!/usr/bin/env python3
"""Writes samples/db/seed.sql: a "Workflow" row and its "AgentTask" rows for every workflow of the
bundled sample logs, as the application would have stored them, read back from the logs with
tracetail itself (`tracetail ingest`, then `workflow --json` and `logs --json`). Then two rows
are broken the way the real application broke them (issue 15):

- t-1053 (of the failed workflow efa38b6b, trace 3ca0b749) has NULL trace_id, span_id and
  parent_span_id, while its records carry them;
- nothing is done for the other bug: the samples' api already logs an incoming x-trace-id on some
  requests (40a1c036..., among others) that the workflow does not run under.

Usage: scripts/sample-seed.py [path/to/tracetail]   (default .build/debug/tracetail)
"""
import json, os, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/debug/tracetail")
broken_task = "t-1053"

def run(*args):
    out = subprocess.run([binary, *args], check=True, capture_output=True, text=True, cwd=root, env={**os.environ, "NO_COLOR": "1"})
    return out.stdout

def dashed(trace):
    return f"{trace[0:8]}-{trace[8:12]}-{trace[12:16]}-{trace[16:20]}-{trace[20:32]}"

def logged_spans(nodes):
    """The span ids of a span tree (GET /traces/{id}'s spans): those with records."""
    found = set()
    while nodes:
        node = nodes.pop()
        found.add(node["span_id"])
        nodes.extend(node["children"])
    return found

def quote(value):
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"

def timestamp(rfc3339):
    return rfc3339.replace("T", " ").rstrip("Z")

with tempfile.TemporaryDirectory() as scratch:
    db = os.path.join(scratch, "samples.sqlite")
    run("ingest", "--logs", "samples/pm2-logs", "--db", db)
    manifest = [json.loads(line.strip().rstrip(",")) for line in open(os.path.join(root, "samples/pm2-logs.manifest.json"))
                if line.strip().startswith('{"trace_id"')]
    lines = ["-- Written by scripts/sample-seed.py from samples/pm2-logs: regenerate rather than edit.",
             "-- One row per sample workflow and task, as the application stored them, with one real bug:",
             f"-- AgentTask {broken_task} has NULL trace fields while its records carry them.", ""]
    for number, trace in enumerate(manifest, start=1):
        workflow_id = trace["workflow_id"]
        if workflow_id is None:
            continue
        answer = json.loads(run("workflow", workflow_id, "--json", "--db", db))
        first = json.loads(run("logs", "--workflow", workflow_id, "--limit", "1", "--json", "--db", db))["lines"][0]
        status = "failed" if trace["errors"] > 0 else "completed"
        task_lines, workflow_span = [], first["span_id"]
        for task in answer["tasks"]:
            records = json.loads(run("logs", "--task", task["task_id"], "--json", "--db", db))["lines"]
            # The span the task was created in: that of its first record with a span.
            task_first = next((line for line in records if line["span_id"]), records[0])
            agent = next((line["app"] for line in records if line["app"].startswith("agent-")), "agent")
            trace_id, span_id, parent = dashed(task["trace_ids"][0]), task_first["span_id"], task_first["parent_span_id"]
            if task["task_id"] == broken_task:
                trace_id = span_id = parent = None
            if task is answer["tasks"][0] and task_first["parent_span_id"] in logged_spans(answer["trace"]["spans"]):
                workflow_span = task_first["parent_span_id"]  # the span the workflow publishes its tasks from
            task_lines.append('INSERT INTO "AgentTask" (task_id, workflow_id, agent_type, status, trace_id, span_id, parent_span_id, created_at) VALUES '
                         f"({quote(task['task_id'])}, {quote(workflow_id)}, {quote(agent.removeprefix('agent-'))}, "
                         f"{quote('failed' if task['errors'] > 0 else 'completed')}, {quote(trace_id)}, {quote(span_id)}, {quote(parent)}, "
                         f"{quote(timestamp(task['first']))});")
        lines.append('INSERT INTO "Workflow" (id, name, status, trace_id, current_span_id, created_at, updated_at) VALUES '
                     f"({quote(workflow_id)}, {quote('sample workflow %d' % number)}, {quote(status)}, {quote(dashed(trace['trace_id']))}, "
                     f"{quote(workflow_span)}, {quote(timestamp(first['ts']))}, "
                     f"{quote(timestamp(answer['trace']['last']))});")
        lines += task_lines
    with open(os.path.join(root, "samples/db/seed.sql"), "w") as out:
        out.write("\n".join(lines) + "\n")

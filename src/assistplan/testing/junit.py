"""JUnit XML of a test run, for CI: one `testsuite` per ConversationTest, one `testcase` per turn (a missed
expectation is a `failure`, no reply an `error`, a turn not run or a test left out `skipped`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from assistplan.testing.model import ConversationResult, Report, TurnResult
from assistplan.testing.report import excerpt


def render_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name=f"assistplan test {report.project}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    time = 0.0
    for result in report.tests:
        suite = _suite(result)
        suites.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        time += result.seconds
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{time:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _suite(result: ConversationResult) -> ET.Element:
    suite = ET.Element("testsuite", name=result.address, file=result.source, time=f"{result.seconds:.3f}")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="target", value=result.target)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    classname = result.address.replace("/", ".")
    if result.skipped is not None or result.error is not None:
        case = ET.SubElement(suite, "testcase", classname=classname, name="start", time="0.000")
        if result.skipped is not None:
            ET.SubElement(case, "skipped", message=result.skipped)
            counts["skipped"] += 1
        else:
            ET.SubElement(case, "error", message=result.error or "", type="NoTarget")
            counts["errors"] += 1
        counts["tests"] += 1
    for turn in result.turns:
        suite.append(_case(classname, turn, counts))
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _case(classname: str, turn: TurnResult, counts: dict[str, int]) -> ET.Element:
    seconds = (turn.reply.latency_ms if turn.reply else 0.0) / 1000
    case = ET.Element("testcase", classname=classname, name=turn.label, time=f"{seconds:.3f}")
    counts["tests"] += 1
    if turn.skipped is not None:
        ET.SubElement(case, "skipped", message=turn.skipped)
        counts["skipped"] += 1
    elif turn.error is not None:
        ET.SubElement(case, "error", message=turn.error, type="NoReply").text = turn.error
        counts["errors"] += 1
    elif turn.failures and turn.reply is not None:
        text = "\n".join([*turn.failures, f"reply: {excerpt(turn.reply.text)}"])
        ET.SubElement(case, "failure", message=turn.failures[0], type="ExpectationFailed").text = text
        counts["failures"] += 1
    return case

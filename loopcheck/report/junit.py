"""JUnit XML, for CI systems that show test reports: one test suite per file with findings or
errors, one failing test case per finding (an `<error>` for a file that could not be analysed);
a clean run is one passing test case."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from loopcheck.report.common import Result, file_line, strip_cell
from loopcheck.report.text import location_of, related_location


def render(result: Result) -> str:
    suites = ET.Element("testsuites", name="loopcheck")
    by_path: dict[str, ET.Element] = {}

    def suite(path: str) -> ET.Element:
        if path not in by_path:
            by_path[path] = ET.SubElement(suites, "testsuite", name=path, tests="0", failures="0", errors="0")
        return by_path[path]

    for f in result.findings:
        owner = suite(f.path)
        case = ET.SubElement(owner, "testcase", name=f"{f.code} {f.name} at {location_of(f)}", classname=f.path)
        case.set("file", f.path)
        case.set("line", str(file_line(f)))
        failure = ET.SubElement(case, "failure", message=strip_cell(f), type=f.code)
        related = "".join(f"\n{related_location(f, r)}: {r.note}" for r in f.related)
        failure.text = f"{location_of(f)}: {f.code} [{f.severity}] {strip_cell(f)}{related}"
        owner.set("tests", str(int(owner.get("tests", "0")) + 1))
        owner.set("failures", str(int(owner.get("failures", "0")) + 1))
    for e in result.errors:
        owner = suite(e.path)
        case = ET.SubElement(owner, "testcase", name=f"analyse {e.path}", classname=e.path)
        ET.SubElement(case, "error", message=e.reason, type="not-analysed").text = e.reason
        owner.set("tests", str(int(owner.get("tests", "0")) + 1))
        owner.set("errors", str(int(owner.get("errors", "0")) + 1))
    if not by_path:
        clean = ET.SubElement(suites, "testsuite", name="loopcheck", tests="1", failures="0", errors="0")
        ET.SubElement(clean, "testcase", name=f"{result.files_checked} files checked", classname="loopcheck")
    suites.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
    suites.set("failures", str(len(result.findings)))
    suites.set("errors", str(len(result.errors)))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")

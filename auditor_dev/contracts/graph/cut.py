"""Cut the subset of Microsoft Graph's published v1.0 CSDL metadata that this tool's traffic uses
(scripts/cut_graph_metadata.py runs it on microsoftgraph/msgraph-metadata's
clean_v10_metadata/cleanMetadata.xml and writes v1.0.xml beside this module).

What is kept is derived from PATHS, the URL templates the tool and the emulator use: each path is
walked through the full metadata, keeping the entity sets and singletons it starts at, the
navigation properties it follows (and the ones its `$expand` names), the type casts it makes and the
bound actions and functions it calls. Then every kept type is closed over its base types and the
types of its structural properties and of the operations' parameters and results. EXTRA_TYPES are the
derived types an answer may name in `@odata.type` (a member list holds groups and roles beside
users). Navigation properties no path follows are dropped, so a request along one is out of the kept
contract until its path is added here and the subset is cut again.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"

# The URL templates (after /v1.0) whose metadata is kept: "{}" is a key; "(...)" the function's
# parameters; "?$expand=a,b" the navigation properties an answer carries expanded.
PATHS: tuple[str, ...] = (
    "organization",
    "subscribedSkus",
    "directory/subscriptions",
    "directoryObjects/{}",  # the @odata.id a members/$ref body names
    "auditLogs/directoryAudits",
    "security/auditLog/queries/{}/records",
    "identity/conditionalAccess/policies",
    "roleManagement/directory/roleEligibilityScheduleInstances",
    "roleManagement/directory/roleAssignments",
    "roleManagement/directory/roleAssignmentScheduleInstances",
    "deviceManagement/managedDevices",
    "identityGovernance/accessReviews/definitions",
    "identityGovernance/entitlementManagement/assignments?$expand=target,accessPackage",
    # Graph answers with each result's `subject` expanded (traffic.py, AUTO_EXPANDED)
    "identityGovernance/lifecycleWorkflows/workflows/{}/userProcessingResults?$expand=subject",
    "identityGovernance/privilegedAccess/group/eligibilityScheduleInstances",
    "identityGovernance/privilegedAccess/group/assignmentScheduleInstances",
    "places/microsoft.graph.room",
    "tenantRelationships/delegatedAdminRelationships",
    "users/{}/memberOf/microsoft.graph.group",
    "users/{}/transitiveMemberOf",
    "users/{}/sendMail",
    "users/{}/assignLicense",
    "users/{}/reprocessLicenseAssignment",
    "users/microsoft.graph.agentUser/{}",
    "servicePrincipals/microsoft.graph.agentIdentity/{}",
    "groups/{}/members/microsoft.graph.user",
    "groups/{}/transitiveMembers/microsoft.graph.user",
    "groups/{}/appRoleAssignments",
    "admin/reportSettings",
    "reports/getOffice365ActiveUserDetail",
    "reports/getM365AppUserDetail",
    "reports/getMailboxUsageDetail",
    "reports/getOneDriveUsageAccountDetail",
    "copilot/reports/getMicrosoft365CopilotUsageUserDetail",
)

# Types an answer may name in @odata.type where its path gives a base type.
EXTRA_TYPES: tuple[str, ...] = (
    "microsoft.graph.user",
    "microsoft.graph.group",
    "microsoft.graph.directoryRole",
    "microsoft.graph.administrativeUnit",
    "microsoft.graph.servicePrincipal",
    "microsoft.graph.device",
    "microsoft.graph.orgContact",
    "microsoft.graph.fileAttachment",  # a sendMail message's attachments (EXTRA_NAVIGATIONS)
    "microsoft.graph.accessReviewQueryScope",  # an access review definition's scope
    "microsoft.graph.security.defaultAuditData",  # an audit log record's auditData
)

# Navigation properties a request body carries inline (OData deep insert) though no path follows them.
EXTRA_NAVIGATIONS: tuple[tuple[str, str], ...] = (("microsoft.graph.message", "attachments"),)

_QUALIFIED = re.compile(r"^(Collection\()?(.+?)\)?$")


@dataclass(frozen=True)
class Source:
    repo: str
    path: str
    commit: str
    date: str

    def block(self) -> str:
        return (
            f" source: repo={self.repo} path={self.path} commit={self.commit} date={self.date}"
            " (cut by scripts/cut_graph_metadata.py; do not edit by hand) "
        )


@dataclass
class _Index:
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> namespace
    types: dict[str, tuple[str, ET.Element]] = field(default_factory=dict)  # full name -> (namespace, element)
    operations: dict[str, list[tuple[str, ET.Element]]] = field(default_factory=dict)  # name -> [(ns, element)]
    container: dict[str, ET.Element] = field(default_factory=dict)  # entity sets and singletons by name
    derived: dict[str, list[str]] = field(default_factory=dict)  # base type -> its direct derived types

    def full(self, ref: str) -> str:
        """The full name of a type reference (an alias resolved, Collection() removed)."""
        match = _QUALIFIED.match(ref)
        name = match.group(2) if match else ref
        space, _, local = name.rpartition(".")
        return f"{self.aliases.get(space, space)}.{local}" if space else name


def _tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def _index(root: ET.Element) -> _Index:
    index = _Index()
    schemas = root.iter(f"{{{EDM}}}Schema")
    for schema in schemas:
        alias = schema.get("Alias")
        if alias:
            index.aliases[alias] = schema.get("Namespace", "")
    for schema in root.iter(f"{{{EDM}}}Schema"):
        space = schema.get("Namespace", "")
        for child in schema:
            kind = _tag(child)
            if kind in ("EntityType", "ComplexType", "EnumType", "TypeDefinition"):
                index.types[f"{space}.{child.get('Name')}"] = (space, child)
            elif kind in ("Action", "Function"):
                index.operations.setdefault(child.get("Name", ""), []).append((space, child))
            elif kind == "EntityContainer":
                for item in child:
                    if _tag(item) in ("EntitySet", "Singleton"):
                        index.container[item.get("Name", "")] = item
    for name, (_, element) in index.types.items():
        base = element.get("BaseType")
        if base:
            index.derived.setdefault(index.full(base), []).append(name)
    return index


def _base_chain(index: _Index, name: str) -> list[str]:
    chain = []
    while name in index.types:
        chain.append(name)
        base = index.types[name][1].get("BaseType")
        if not base:
            break
        name = index.full(base)
    return chain


def _find_nav(index: _Index, name: str, segment: str) -> tuple[str, ET.Element] | None:
    for owner in _base_chain(index, name):
        for child in index.types[owner][1]:
            if _tag(child) in ("NavigationProperty", "Property") and child.get("Name") == segment:
                return owner, child
    return None


class CutError(ValueError):
    """A path of PATHS that the metadata does not carry."""


def _walk(index: _Index, path: str, keep: set[str], navs: set[tuple[str, str]], ops: set[int]) -> None:
    route, _, query = path.partition("?")
    expand = [e for e in query.removeprefix("$expand=").split(",") if e] if query else []
    segments = route.split("/")
    head = index.container.get(segments[0])
    if head is None:
        raise CutError(f"{path}: no entity set or singleton {segments[0]!r}")
    keep.add(segments[0])
    current = index.full(head.get("EntityType") or head.get("Type") or "")
    for segment in segments[1:]:
        if segment == "{}":
            continue
        if segment.startswith("microsoft.graph."):
            if segment not in index.types:
                raise CutError(f"{path}: no type {segment}")
            keep.add(segment)
            current = segment
            continue
        found = _find_nav(index, current, segment)
        if found is not None:
            owner, element = found
            if _tag(element) == "NavigationProperty":
                navs.add((owner, segment))
            current = index.full(element.get("Type", ""))
            continue
        bound = [
            (space, op)
            for space, op in index.operations.get(segment, [])
            if (binding := next((p for p in op if _tag(p) == "Parameter"), None)) is not None
            and index.full(binding.get("Type", "")) in _base_chain(index, current)
        ]
        if not bound:
            raise CutError(f"{path}: {segment!r} is no navigation, cast or bound operation of {current}")
        for _, op in bound:
            ops.add(id(op))
        current = ""
    for name in expand:
        found = _find_nav(index, current, name)
        if found is None:
            raise CutError(f"{path}: cannot expand {name!r} on {current}")
        navs.add((found[0], name))


def _referenced(index: _Index, element: ET.Element, navs: set[tuple[str, str]], name: str) -> Iterable[str]:
    base = element.get("BaseType")
    if base:
        yield index.full(base)
    for child in element.iter():
        kind = _tag(child)
        if kind in ("Property", "Parameter", "ReturnType", "TypeDefinition"):
            ref = child.get("Type") or child.get("UnderlyingType")
            if ref:
                yield index.full(ref)
        elif kind == "NavigationProperty" and (name, child.get("Name")) in navs:
            yield index.full(child.get("Type", ""))


def cut(source: bytes, source_info: Source, paths: Iterable[str] = PATHS, extra: Iterable[str] = EXTRA_TYPES) -> str:
    """The kept subset of the CSDL document `source`, as XML text with its source block."""
    root = ET.fromstring(source)
    index = _index(root)
    keep_container: set[str] = set()
    navs: set[tuple[str, str]] = set()
    op_ids: set[int] = set()
    for path in paths:
        _walk(index, path, keep_container, navs, op_ids)
    navs.update(n for n in EXTRA_NAVIGATIONS if n[0] in index.types)
    keep_container_types = {
        index.full(index.container[c].get("EntityType") or index.container[c].get("Type") or "")
        for c in keep_container
        if c in index.container
    }
    pending = [*keep_container_types, *(c for c in keep_container if c.startswith("microsoft.graph.")), *extra]
    for operations in index.operations.values():
        for _, op in operations:
            if id(op) in op_ids:
                pending.extend(_referenced(index, op, navs, ""))
    kept: set[str] = set()
    while pending:
        name = pending.pop()
        if name in kept or name not in index.types:
            continue
        kept.add(name)
        pending.extend(_referenced(index, index.types[name][1], navs, name))
    return _render(root, index, kept, navs, op_ids, {c for c in keep_container if c in index.container}, source_info)


def _render(
    root: ET.Element,
    index: _Index,
    kept: set[str],
    navs: set[tuple[str, str]],
    op_ids: set[int],
    container: set[str],
    source_info: Source,
) -> str:
    ET.register_namespace("edmx", EDMX)
    ET.register_namespace("", EDM)
    out = ET.Element(f"{{{EDMX}}}Edmx", {"Version": root.get("Version", "4.0")})
    services = ET.SubElement(out, f"{{{EDMX}}}DataServices")
    for schema in root.iter(f"{{{EDM}}}Schema"):
        space = schema.get("Namespace", "")
        copy = ET.Element(schema.tag, dict(schema.attrib))
        for child in schema:
            kind = _tag(child)
            name = f"{space}.{child.get('Name')}"
            wanted_type = kind in ("EntityType", "ComplexType", "EnumType", "TypeDefinition") and name in kept
            if wanted_type or (kind in ("Action", "Function") and id(child) in op_ids):
                copy.append(_pruned(child, name, navs))
            elif kind == "EntityContainer":
                box = ET.SubElement(copy, child.tag, dict(child.attrib))
                for item in child:
                    if item.get("Name") in container:
                        ET.SubElement(box, item.tag, dict(item.attrib))
        if len(copy):
            services.append(copy)
    ET.indent(out, space="  ")
    text = ET.tostring(out, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<!--{source_info.block()}-->\n{text}\n'


def _pruned(element: ET.Element, name: str, navs: set[tuple[str, str]]) -> ET.Element:
    """`element` without annotations and without the navigation properties no kept path follows."""
    copy = ET.Element(element.tag, dict(element.attrib))
    for child in element:
        kind = _tag(child)
        if kind == "Annotation" or (kind == "NavigationProperty" and (name, child.get("Name")) not in navs):
            continue
        inner = ET.SubElement(copy, child.tag, dict(child.attrib))
        for grandchild in child:
            if _tag(grandchild) != "Annotation":
                inner.append(ET.Element(grandchild.tag, dict(grandchild.attrib)))
    return copy


SOURCE_BLOCK = re.compile(r"<!-- source: repo=(\S+) path=(\S+) commit=([0-9a-f]{40}) date=(\S+) ")


def source_of(text: str) -> Source | None:
    """The source block of a kept subset, or None without one."""
    match = SOURCE_BLOCK.search(text[:1000])
    return Source(*match.groups()) if match else None

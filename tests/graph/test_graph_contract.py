"""Graph's published v1.0 metadata (auditor_dev/contracts/graph) held against the emulator's traffic:
each kind of request or answer outside it is recorded, and the kept subset is what the cut gives."""

from __future__ import annotations

from importlib import resources

import httpx
import pytest

from auditor_dev import contracts
from auditor_dev.contracts.graph.cut import PATHS, Source, cut, source_of
from auditor_dev.contracts.graph.model import kept
from auditor_dev.contracts.graph.traffic import answer_problems, request_problems
from auditor_dev.demo import sample_tenant
from auditor_dev.emulator import GraphEmulator
from auditor_dev.emulator.hooks import Reply, Request

USER = "11111111-2222-3333-4444-555555555555"


def problems(method: str, path: str, query: str = "", body: bytes = b"") -> list[str]:
    return list(request_problems(kept(), method, path, query, body))


def test_an_undeclared_select_property_is_recorded() -> None:
    assert problems("GET", "/v1.0/users", "$select=id,licenseCount") == [
        "$select: microsoft.graph.user has no property 'licenseCount'"
    ]
    assert problems("GET", "/v1.0/users", "$select=id,assignedLicenses,signInActivity") == []


def test_filter_and_orderby_properties_are_held_to_the_type() -> None:
    good = (
        "assignedLicenses/any(x:x/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900) and startswith(userPrincipalName,'a')"
    )
    assert problems("GET", "/v1.0/users", f"$filter={good}") == []
    assert problems("GET", "/v1.0/groups", "$filter=assignedLicenses/$count ne 0&$count=true") == []
    assert problems("GET", "/v1.0/users", "$filter=assignedLicenses/any(x:x/sku eq 'E3')") == [
        "$filter: microsoft.graph.user has no property 'assignedLicenses/sku'"
    ]
    assert problems("GET", "/v1.0/users", "$orderby=lastSeen desc") == [
        "$orderby: microsoft.graph.user has no property 'lastSeen'"
    ]


def test_an_unknown_path_is_recorded() -> None:
    assert problems("GET", "/v1.0/licenses") == [
        "path not in Graph's v1.0 metadata: no entity set or singleton 'licenses'"
    ]
    assert problems("POST", f"/v1.0/users/{USER}/removeLicense", body=b"{}") == [
        "path not in Graph's v1.0 metadata: microsoft.graph.user has no navigation property, property, cast or "
        "bound operation 'removeLicense'"
    ]
    assert problems("GET", f"/v1.0/groups/{USER}/transitiveMembers/microsoft.graph.user/$count") == []
    assert problems("GET", "/v1.0/reports/getOffice365ActiveUserDetail(period='D30')") == []


def test_an_action_body_is_held_to_its_parameters() -> None:
    path = f"/v1.0/users/{USER}/assignLicense"
    assert problems("POST", path, body=b'{"addLicenses": [], "removeLicenses": []}') == []
    assert problems("POST", path, body=b'{"addLicenses": [{"skuId": "E3"}], "removeLicenses": []}') == [
        "body.addLicenses[0].skuId: 'E3' is not Edm.Guid"
    ]
    assert problems("POST", path, body=b'{"addLicenses": []}') == [
        "the action's parameter 'removeLicenses' (not nullable) is missing"
    ]
    assert problems("PATCH", f"/v1.0/users/{USER}", body=b'{"accountEnabled": "no"}') == [
        "body.accountEnabled: 'no' is not Edm.Boolean"
    ]


def test_an_answer_with_a_property_the_type_lacks_or_a_wrong_type_is_recorded() -> None:
    def answer(doc: object) -> list[str]:
        return list(answer_problems(kept(), "GET", "/v1.0/subscribedSkus", "", 200, doc))

    good = {"skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df", "consumedUnits": 3, "prepaidUnits": {"enabled": 5}}
    assert answer({"@odata.context": "x", "value": [good]}) == []
    assert answer({"value": [{**good, "seatsFree": 2}]}) == [
        "value[0]: microsoft.graph.subscribedSku has no property 'seatsFree'"
    ]
    assert answer({"value": [{**good, "consumedUnits": "3"}]}) == ["value[0].consumedUnits: '3' is not Edm.Int32"]
    assert answer({"value": [{**good, "prepaidUnits": [5]}]}) == [
        "value[0].prepaidUnits: list where microsoft.graph.licenseUnitsDetail (an object) is declared"
    ]
    assert list(answer_problems(kept(), "GET", "/v1.0/users", "", 404, {"error": {"code": "x"}})) == [
        "an error has a string code and message"
    ]


def test_a_directory_extension_is_the_only_undeclared_property_an_open_type_carries() -> None:
    doc = {"id": USER, "extension_0123_costCentre": "A1"}
    assert list(answer_problems(kept(), "GET", f"/v1.0/users/{USER}", "", 200, doc)) == []
    assert list(answer_problems(kept(), "GET", f"/v1.0/users/{USER}", "", 200, {"id": USER, "seats": 1})) == [
        "answer: microsoft.graph.user has no property 'seats'"
    ]


@pytest.mark.off_contract("serves a subscribedSku with a property Graph does not declare, to see it recorded")
def test_the_emulator_records_what_it_serves_outside_the_metadata() -> None:
    def extra(request: Request) -> Reply | None:
        return Reply(200, {"value": [{"skuId": USER, "seatsFree": 1}]}) if request.path == "/subscribedSkus" else None

    with GraphEmulator(sample_tenant(), responders=[extra]) as graph:
        headers = {"Authorization": f"Bearer {graph.token}"}
        httpx.get(f"{graph.url}/subscribedSkus?$select=skuId,seats", headers=headers)
    assert contracts.seen() == [
        "graph: GET /v1.0/subscribedSkus: $select: microsoft.graph.subscribedSku has no property 'seats'",
        "graph: answer 200 to GET /v1.0/subscribedSkus: value[0]: microsoft.graph.subscribedSku has no property "
        "'seatsFree'",
    ]


FIXTURE = b"""<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="colour"><Member Name="red" Value="0" /></EnumType>
      <EnumType Name="unused"><Member Name="x" Value="0" /></EnumType>
      <ComplexType Name="paint"><Property Name="colour" Type="graph.colour" /></ComplexType>
      <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
      <EntityType Name="user" BaseType="graph.entity">
        <Property Name="paint" Type="graph.paint" />
        <NavigationProperty Name="memberOf" Type="Collection(graph.group)" />
        <NavigationProperty Name="manager" Type="graph.user" />
        <Annotation Term="x" String="y" />
      </EntityType>
      <EntityType Name="group" BaseType="graph.entity" />
      <EntityType Name="drive" BaseType="graph.entity" />
      <Action Name="assignLicense" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.user" Nullable="false" />
        <Parameter Name="addLicenses" Type="Collection(Edm.Guid)" Nullable="false" />
      </Action>
      <Action Name="wipe" IsBound="true"><Parameter Name="bindingParameter" Type="graph.user" /></Action>
      <EntityContainer Name="GraphService">
        <EntitySet Name="users" EntityType="microsoft.graph.user">
          <NavigationPropertyBinding Path="memberOf" Target="groups" />
        </EntitySet>
        <EntitySet Name="drives" EntityType="microsoft.graph.drive" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"""

SOURCE = Source("microsoftgraph/msgraph-metadata", "clean_v10_metadata/cleanMetadata.xml", "a" * 40, "2026-01-01")

CUT = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    "<!-- source: repo=microsoftgraph/msgraph-metadata path=clean_v10_metadata/cleanMetadata.xml "
    f"commit={'a' * 40} date=2026-01-01 (cut by scripts/cut_graph_metadata.py; do not edit by hand) -->\n"
    '<edmx:Edmx xmlns="http://docs.oasis-open.org/odata/ns/edm" '
    'xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">\n'
    """  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph">
      <EnumType Name="colour">
        <Member Name="red" Value="0" />
      </EnumType>
      <ComplexType Name="paint">
        <Property Name="colour" Type="graph.colour" />
      </ComplexType>
      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id" />
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="user" BaseType="graph.entity">
        <Property Name="paint" Type="graph.paint" />
        <NavigationProperty Name="memberOf" Type="Collection(graph.group)" />
      </EntityType>
      <EntityType Name="group" BaseType="graph.entity" />
      <Action Name="assignLicense" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.user" Nullable="false" />
        <Parameter Name="addLicenses" Type="Collection(Edm.Guid)" Nullable="false" />
      </Action>
      <EntityContainer Name="GraphService">
        <EntitySet Name="users" EntityType="microsoft.graph.user" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"""
)


def test_the_cut_keeps_what_the_paths_reach_and_its_source() -> None:
    assert cut(FIXTURE, SOURCE, paths=("users/{}/memberOf", "users/{}/assignLicense"), extra=()) == CUT


def test_the_kept_subset_names_its_source_and_carries_every_path() -> None:
    text = resources.files("auditor_dev.contracts.graph").joinpath("v1.0.xml").read_text(encoding="utf-8")
    source = source_of(text)
    assert source is not None
    assert (source.repo, source.path) == ("microsoftgraph/msgraph-metadata", "clean_v10_metadata/cleanMetadata.xml")
    assert len(source.commit) == 40 and source.date[:4].isdigit()
    for path in PATHS:  # each path the cut walked resolves in what it kept
        route = path.partition("?")[0].replace("{}", USER)
        route = route if "/get" not in route else route + "(period='D30')"
        assert problems("GET", "/v1.0/" + route) == [], path

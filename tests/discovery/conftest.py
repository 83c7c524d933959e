"""Discovery fixtures on top of the named users (tests/conftest.py): the covered vendor and its files.

Files are made here as agencies publish them: the AI use case inventory in the M-25-21
and 2024 layouts, with a title above the table, multi-line cells, several vendors in
one cell, Windows-1252 text; award exports in USAspending and FPDS columns.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from tests.factories import ProductFactory, VendorFactory

UEI = "CVA7K2M9Q41X"
CAGE = "7CVA2"
PRODUCTS = ["Chat Model API", "Enterprise Assistant", "Coding Assistant", "Embeddings Model"]

M_25_21_HEADERS = [
    "Use Case ID",
    "Use Case Name",
    "Agency",
    "Bureau/Component",
    "Use Case Topic Area",
    "What is the intended purpose and expected benefits of the AI?",
    "Describe the AI system's outputs.",
    "Stage of Development",
    "Is the AI use case high-impact?",
    "Was the system involved in this use case purchased from a vendor or developed under contract(s) or in-house?",
    "Vendor(s) Name",
    "System(s) Name",
    "Does this AI use case have an associated Authorization to Operate (ATO)?",
]
M_25_21_ROWS = [
    ["TREAS-0001", "Taxpayer question assistant", "Department of the Treasury", "IRS", "Government Services",
     "Answers taxpayer questions.\nDrafts replies for agents.", "Draft answers", "Deployed", "No",
     "Purchased from a vendor", "Covered AI Inc.", "IRS Answers", "Yes"],
    ["TREAS-0002", "Contract clause review", "Department of the Treasury", "BFS", "Procurement",
     "Flags non-standard clauses.", "Flags", "Operation and Maintenance", "Yes",
     "Developed under contract", "Acme Analytics LLC", "ClauseCheck",
     "Yes"],
    ["TREAS-0003", "Model comparison sandbox", "Department of the Treasury", "OCIO", "Mission-Enabling",
     "Compares Covered AI and OpenAI models side by side.", "Scores", "Pilot", "No",
     "Purchased from a vendor", "Covered AI; OpenAI; Meta", "Sandbox", "No"],
    ["TREAS-0004", "Imagery change detection", "Department of the Treasury", "Mint", "Other",
     "Detects discovered aid stations in recovered imagery.", "Maps", "Deployed", "No",
     "In-house", "", "", "No"],
    ["TREAS-0005", "Comment summarization", "Department of the Treasury", "OCC", "Regulatory",
     "Summarizes public comments with OpenAI GPT-4o.", "Summaries", "Deployed", "No",
     "Purchased from a vendor", "OpenAI", "CommentSum", "Yes"],
]  # fmt: skip
# Acme's product embeds the vendor: said in the outputs column, not the vendor column.
M_25_21_ROWS[1][6] = "Flags, using Covered AI models inside Acme ClauseCheck"

INVENTORY_2024_HEADERS = [
    "Use Case Name",
    "Agency",
    "Bureau",
    "Use Case ID",
    "What is the intended purpose and expected benefits of the AI?",
    "Is the AI use case rights-impacting, safety-impacting, both, or neither?",
    "Was the AI system involved in this use case developed (or is it to be developed) under contract(s) or in-house?",
    "Does this AI use case have an associated Authority to Operate (ATO) for an AI system?",
    "System Name",
]
INVENTORY_2024_ROWS = [
    ["Résumé screening aid", "Department of the Treasury", "IRS", "IRS-2024-17",
     "Ranks résumés with covered-chat-3 on Amazon Bedrock – “pilot”.", "Rights-Impacting", "Contract", "No", "HR AI"],
    ["Weather post-processing", "Department of the Treasury", "IRS", "IRS-2024-18",
     "Neural nets correct forecast bias.", "Neither", "In-house", "No", ""],
]  # fmt: skip


@pytest.fixture
def covered(directive):
    """Covered AI Inc. and its products, covered by the directive."""
    vendor = VendorFactory(name="Covered AI Inc.", uei=UEI, cage_code=CAGE)
    products = [ProductFactory(vendor=vendor, name=name) for name in PRODUCTS]
    directive.covered_products.set(products)
    return vendor


def csv_bytes(headers, rows, *, above=(), encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for line in above:
        writer.writerow(line)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers, rows, *, above=(), extra_sheets=("Notes", "Empty")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Inventory"
    for line in above:
        sheet.append(line)
    if above:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)  # a merged title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for title in extra_sheets:
        workbook.create_sheet(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def m_25_21_xlsx() -> bytes:
    return xlsx_bytes(
        M_25_21_HEADERS, M_25_21_ROWS, above=[["Treasury AI Use Case Inventory 2025"], ["As of 2025-12-01"]]
    )


@pytest.fixture
def inventory_2024_cp1252() -> bytes:
    return csv_bytes(INVENTORY_2024_HEADERS, INVENTORY_2024_ROWS, above=[["2024 AI Use Case Inventory"], []],
                     encoding="cp1252")  # fmt: skip

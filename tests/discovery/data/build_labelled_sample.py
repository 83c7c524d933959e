# ruff: noqa: E501 -- a data script: one description a line reads best
"""Builds labelled_use_cases.csv beside this file: `python tests/discovery/data/build_labelled_sample.py`.

The descriptions paraphrase the kinds of entries agencies publish in their AI use case
inventories (purpose, outputs, vendor); the vendor sentences name real vendors and the
demo's fictional covered vendor. The CSV is the data; this script says how it was made.
"""

import csv
import random
from pathlib import Path

random.seed(2026)

# Use-case descriptions paraphrased from the kinds of entries in agencies' public AI use case inventories.
BASES = [
    (
        "Public comment classification",
        "Natural language processing groups and summarizes public comments received on proposed rules so analysts can review themes.",
    ),
    (
        "Benefits chatbot",
        "A chatbot answers common questions from the public about benefit eligibility and directs callers to the right office.",
    ),
    (
        "Contract clause review",
        "Identifies non-standard clauses in contract documents and flags them for contracting officer review.",
    ),
    (
        "Fraud detection in claims",
        "Machine learning model scores incoming claims for indicators of potential fraud for investigator review.",
    ),
    (
        "Satellite imagery analysis",
        "Computer vision detects changes in land cover from satellite imagery to support environmental monitoring.",
    ),
    (
        "FOIA request triage",
        "Classifies incoming Freedom of Information Act requests and suggests the responsive program office.",
    ),
    (
        "Call center transcription",
        "Speech-to-text transcribes call center recordings and extracts topics for quality assurance.",
    ),
    (
        "Code assistant for developers",
        "Generative AI coding assistant suggests code completions and unit tests to agency software developers.",
    ),
    (
        "Document summarization",
        "Large language model drafts summaries of long technical reports for leadership briefings.",
    ),
    (
        "Translation of public notices",
        "Machine translation produces draft translations of public notices into Spanish and other languages for human review.",
    ),
    (
        "Predictive maintenance",
        "Predicts equipment failures from sensor data to schedule maintenance of vehicles and facilities.",
    ),
    (
        "Cybersecurity alert triage",
        "Ranks security alerts by likely severity to help the security operations center respond faster.",
    ),
    (
        "Grant application screening",
        "Checks grant applications for completeness and extracts key data fields for program staff.",
    ),
    (
        "Employee HR assistant",
        "An internal assistant answers employee questions about human resources policies and benefits.",
    ),
    (
        "Medical literature search",
        "Semantic search over biomedical literature helps researchers find relevant studies.",
    ),
    (
        "Wildfire smoke forecasting",
        "Machine learning improves forecasts of wildfire smoke dispersion for air quality alerts.",
    ),
    (
        "Invoice processing",
        "Optical character recognition and extraction of invoice fields to speed up payment processing.",
    ),
    (
        "Policy drafting support",
        "Generative AI drafts first versions of internal policy memos that staff edit and approve.",
    ),
    ("Records management", "Classifies electronic records by retention schedule to support records management."),
    ("Inspection report analysis", "Text analytics identifies recurring safety issues in inspection reports."),
    (
        "Customer feedback sentiment",
        "Sentiment analysis of customer experience survey responses to prioritize service improvements.",
    ),
    (
        "Weather model post-processing",
        "Neural networks correct systematic biases in numerical weather prediction output.",
    ),
    (
        "Knowledge base search",
        "Retrieval-augmented generation answers staff questions from the agency's policy knowledge base.",
    ),
    (
        "Acquisition market research",
        "Summarizes vendor capability statements and market research for acquisition planning.",
    ),
    ("Medical image triage", "Deep learning model flags chest X-rays with possible findings for radiologist review."),
]

POSITIVE = [
    # (vendor cell, sentence naming the covered vendor, kind)
    ("Covered AI Inc.", "The assistant calls the Covered AI chat API directly.", "direct_api"),
    ("Covered AI", "Built on Covered Chat Model API with agency prompts.", "direct_api"),
    ("CoveredAI", "Uses the covered-chat-3 model for drafting.", "direct_api"),
    ("", "Requests are sent to api.coveredai.example over TLS.", "direct_api"),
    ("", "The prototype uses Covered AI's Enterprise Assistant for staff.", "direct_api"),
    ("Amazon Web Services", "Runs covered-chat-3-mini through Amazon Bedrock in GovCloud.", "cloud_platform"),
    ("", "Models from Covered AI and Meta Llama are compared in Vertex AI Model Garden.", "cloud_platform"),
    ("Microsoft", "Deployed in Azure AI Foundry; the selected model is Covered Chat.", "cloud_platform"),
    (
        "Covered AI; OpenAI",
        "The team routes prompts to Covered AI or OpenAI models depending on the task.",
        "cloud_platform",
    ),
    (
        "Acme Analytics LLC",
        "Acme's case management product embeds Covered AI models for its summary feature.",
        "embedded",
    ),
    ("Salesforce", "The CRM add-on relies on Covered AI under the hood for email drafting.", "embedded"),
    ("Booz Allen Hamilton", "Contractor-built tool whose generation step uses the CoveredAI API.", "embedded"),
    ("", "Developers install the coveredai-sdk package in the pipeline.", "developer_tool"),
    ("", "Engineers use Covered Coding Assistant in their IDE.", "developer_tool"),
    ("Covered AI Inc", "Enterprise licence for Covered Enterprise Assistant seats.", "direct_api"),
]
OTHER_VENDORS = [
    ("OpenAI", "The assistant calls the OpenAI GPT-4o API."),
    ("Microsoft", "Uses Microsoft Copilot for Microsoft 365 in the agency tenant."),
    ("Google", "Built on Google Gemini through Vertex AI."),
    ("Meta", "Fine-tuned Meta Llama model hosted on agency servers."),
    ("IBM", "IBM watsonx.ai hosts the classification model."),
    ("Amazon Web Services", "Amazon Comprehend extracts entities from documents."),
    ("Salesforce", "Salesforce Einstein scores cases for routing."),
    ("ServiceNow", "ServiceNow Now Assist summarizes incident tickets."),
    ("Palantir", "Palantir Foundry pipelines prepare the training data."),
    ("Databricks", "Models are trained and served on Databricks."),
    ("Anthropic", "Uses Anthropic Claude through the agency's approved gateway."),
    ("Mistral AI", "An open-weight Mistral model runs on premises."),
    ("Cohere", "Cohere embeddings power the semantic search."),
    ("NVIDIA", "NVIDIA NeMo framework is used to fine-tune the speech model."),
    ("Esri", "ArcGIS Pro deep learning tools classify imagery."),
    ("UiPath", "UiPath document understanding extracts invoice fields."),
    ("Adobe", "Adobe Acrobat AI Assistant summarizes PDFs for staff."),
    ("GitHub", "GitHub Copilot suggests code in developers' editors."),
    ("Oracle", "Oracle Cloud analytics forecasts demand."),
    ("Nuance", "Nuance speech recognition transcribes dictation."),
]
TRICKY_NEGATIVE = [
    ("", "This is a covered AI use case under the memorandum and is reported in the inventory."),
    ("", "Covered AI systems must complete minimum risk management practices before deployment."),
    ("", "Machine learning detects uncovered aid payments that lack documentation."),
    ("", "The model identifies discovered aircraft debris in recovered imagery."),
    ("", "Drones survey covered airfields and hangars for maintenance planning."),
    ("", "The agency determined the tool is not a covered AI application under the policy."),
    ("", "Images of covered aisles in warehouses are counted for inventory."),
    ("", "Recovered AI artifacts are archived per the records schedule."),
    ("", "Coverage AI scores insurance coverage gaps for program analysts."),
    ("", "Staff covered AI ethics in mandatory training last year."),
]
IN_PASSING_NEGATIVE = [
    ("OpenAI", "Evaluated Covered AI during market research but selected OpenAI."),
    ("Google", "Covered AI was considered and rejected; the system uses Google Gemini."),
    ("", "Migrated off Covered Chat in March 2026; now uses an in-house model."),
    ("Microsoft", "Benchmarked against Covered AI models; production uses Azure OpenAI only."),
]
HARD_POSITIVE = [  # depend on the vendor but say so in words the terms do not hold
    ("", "Uses Covered's chat model through the vendor's hosted API.", "direct_api"),
    ("CVAI", "Licensed the vendor's enterprise assistant (CVAI) for analysts.", "direct_api"),
]

rows = []


def add(name, vendor, description, label, kind, note):
    rows.append(
        {
            "id": f"S-{len(rows) + 1:04d}",
            "use_case_name": name,
            "vendor": vendor,
            "description": description,
            "label": label,
            "kind": kind,
            "note": note,
        }
    )


bases = BASES[:]
for i in range(75):
    name, base = bases[i % len(bases)]
    vendor, sentence, kind = POSITIVE[i % len(POSITIVE)]
    add(name, vendor, f"{base} {sentence}", 1, kind, "names the covered vendor")
for i in range(115):
    name, base = bases[(i * 7) % len(bases)]
    vendor, sentence = OTHER_VENDORS[i % len(OTHER_VENDORS)]
    add(name, vendor, f"{base} {sentence}", 0, "", "names another vendor")
for i in range(20):
    name, base = bases[(i * 3) % len(bases)]
    vendor, sentence = TRICKY_NEGATIVE[i % len(TRICKY_NEGATIVE)]
    add(name, vendor, f"{base} {sentence}", 0, "", "look-alike words")
for i in range(8):
    name, base = bases[(i * 5) % len(bases)]
    vendor, sentence = IN_PASSING_NEGATIVE[i % len(IN_PASSING_NEGATIVE)]
    add(name, vendor, f"{base} {sentence}", 0, "", "names the covered vendor only in passing")
for i in range(4):
    name, base = bases[(i * 11) % len(bases)]
    vendor, sentence, kind = HARD_POSITIVE[i % len(HARD_POSITIVE)]
    add(name, vendor, f"{base} {sentence}", 1, kind, "depends, in words the terms miss")
for i in range(10):
    name, base = bases[(i * 13) % len(bases)]
    add(name, "In-house", f"{base} Developed in-house with open-source libraries.", 0, "", "no vendor")
random.shuffle(rows)
for n, row in enumerate(rows, 1):
    row["id"] = f"S-{n:04d}"
with open(Path(__file__).with_name("labelled_use_cases.csv"), "w", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
print(len(rows), sum(r["label"] for r in rows), sum(1 for r in rows if r["note"] == "names another vendor"))

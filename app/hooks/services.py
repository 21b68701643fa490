"""The CDS services this deployment offers: id, hook, texts, context model and the rules each one runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.hooks.schemas import (
    CdsServiceDescriptor,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
)
from app.rules.model import Hook, Rule

__all__ = ["CdsService", "build_services", "descriptors"]

ContextModel = type[PatientViewContext] | type[OrderSignContext] | type[OrderSelectContext]


@dataclass(frozen=True, slots=True)
class CdsService:
    id: str
    hook: Hook
    title: str
    description: str
    usage_requirements: str
    context_model: ContextModel
    rules: tuple[Rule, ...]


_USAGE = (
    "Give the service FHIR R4 read access to the patient's Patient, Observation, Condition, MedicationStatement, "
    "MedicationRequest, MedicationAdministration, MedicationDispense, AllergyIntolerance and Medication resources, "
    "by prefetch or with fhirServer and fhirAuthorization (patient/*.read). Card language: Dutch by default; send "
    'extension {"org.osteo-cds.language": "en"} or Accept-Language: en for English.'
)


def build_services(rules: Sequence[Rule]) -> Mapping[str, CdsService]:
    """The three services, each with the rules of the catalog that declare its hook."""

    def for_hook(hook: Hook) -> tuple[Rule, ...]:
        return tuple(rule for rule in rules if hook in rule.hooks)

    services = (
        CdsService(
            id="osteoporosis-patient-view",
            hook=Hook.PATIENT_VIEW,
            title="Osteoporosis and fracture prevention",
            description=(
                "Checks the open chart against the Dutch (NL) or Belgian (BE) osteoporosis guideline: treatment "
                "gaps, glucocorticoid prophylaxis, bisphosphonate evaluation and drug holiday, denosumab "
                "interval and discontinuation, anabolic sequencing, contraindications and follow-up."
            ),
            usage_requirements=_USAGE,
            context_model=PatientViewContext,
            rules=for_hook(Hook.PATIENT_VIEW),
        ),
        CdsService(
            id="osteoporosis-order-select",
            hook=Hook.ORDER_SELECT,
            title="Osteoporosis advice while ordering",
            description=(
                "When a systemic glucocorticoid, a bisphosphonate, denosumab, teriparatide, romosozumab or "
                "raloxifene is selected, or denosumab is stopped: bone protection, contraindications and safe "
                "transitions per the osteoporosis guideline, with orders to add in one click."
            ),
            usage_requirements=_USAGE,
            context_model=OrderSelectContext,
            rules=for_hook(Hook.ORDER_SELECT),
        ),
        CdsService(
            id="osteoporosis-order-sign",
            hook=Hook.ORDER_SIGN,
            title="Osteoporosis check before signing",
            description=(
                "Final check of the draft orders against the osteoporosis guideline before signing: only advice "
                "that still applies to the orders as they are now."
            ),
            usage_requirements=_USAGE,
            context_model=OrderSignContext,
            rules=for_hook(Hook.ORDER_SIGN),
        ),
    )
    return {service.id: service for service in services}


def descriptors(services: Mapping[str, CdsService], prefetch: Mapping[str, str]) -> list[CdsServiceDescriptor]:
    """The discovery entries; every service asks for the same narrow prefetch."""
    return [
        CdsServiceDescriptor(
            hook=service.hook.value,
            title=service.title,
            description=service.description,
            id=service.id,
            prefetch=dict(prefetch),
            usage_requirements=service.usage_requirements,
        )
        for service in services.values()
    ]

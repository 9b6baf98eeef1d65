"""The demo city's data inventory: about sixty invented datasets of the City of Riverton, for ``manage.py seed_demo``.

It runs after :func:`demo.team.demo_city_seed` (it needs the departments and their contacts) and is idempotent in
the same way: datasets are keyed on their identifier, initiatives on their slug, discovery answers on (department,
question, date). Whatever already exists is left exactly as it is, so an edit made in the app survives a re-seed.

Each dataset's steward is its department's contact in the team demo. Library has no contact yet, and the two Public
Works divisions have none of their own, so their datasets have no steward (the inventory shows the gap).
Every URL points at the invented host ``data.riverton.example.gov``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from inventory.models import (
    AccessLevel,
    DataField,
    Dataset,
    DiscoveryAnswer,
    DiscoveryQuestion,
    Distribution,
    FieldType,
    Frequency,
    Initiative,
    Status,
)
from inventory.services.datasets import dataset_create
from inventory.services.discovery import discovery_answer_record
from team.models import Department, Person, Role, RoleAssignment

from .team import EMAIL_DOMAIN

PORTAL = "https://data.riverton.example.gov"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
SPATIAL = "City of Riverton"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str = FieldType.STRING
    title: str = ""
    description: str = ""
    required: bool = False
    unique: bool = False
    allowed_values: tuple[str, ...] = ()
    minimum: str = ""
    maximum: str = ""
    pattern: str = ""
    format: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    identifier: str
    department: str  # slug
    title: str
    description: str
    keywords: tuple[str, ...]
    themes: tuple[str, ...]
    frequency: str
    fields: tuple[FieldSpec, ...]
    status: str = Status.PUBLISHED
    access_level: str = AccessLevel.PUBLIC
    rights: str = ""
    flags: frozenset[str] = frozenset()
    initiatives: tuple[str, ...] = ()
    source_system: str = ""
    temporal: str = ""
    issued: datetime.date | None = None
    modified: datetime.date | None = None
    privacy_notes: str = ""
    discovered_from: tuple[str, int] | None = None  # (department slug, question)

    @property
    def published(self) -> bool:
        return self.status == Status.PUBLISHED and self.access_level == AccessLevel.PUBLIC


# --- dictionary building blocks ---------------------------------------------------------------------------------


def _id(name: str, title: str = "", pattern: str = "") -> FieldSpec:
    return FieldSpec(
        name,
        FieldType.STRING,
        title or name.replace("_", " ").capitalize(),
        required=True,
        unique=True,
        pattern=pattern,
    )


def _when(name: str, title: str = "", required: bool = True) -> FieldSpec:
    return FieldSpec(name, FieldType.DATETIME, title or name.replace("_", " ").capitalize(), required=required)


def _day(name: str, title: str = "", required: bool = True) -> FieldSpec:
    return FieldSpec(name, FieldType.DATE, title or name.replace("_", " ").capitalize(), required=required)


def _enum(name: str, *values: str, title: str = "") -> FieldSpec:
    return FieldSpec(
        name, FieldType.STRING, title or name.replace("_", " ").capitalize(), required=True, allowed_values=values
    )


def _int(name: str, title: str = "", minimum: str = "0", maximum: str = "") -> FieldSpec:
    return FieldSpec(
        name, FieldType.INTEGER, title or name.replace("_", " ").capitalize(), minimum=minimum, maximum=maximum
    )


def _num(name: str, title: str = "", minimum: str = "0", maximum: str = "") -> FieldSpec:
    return FieldSpec(
        name, FieldType.NUMBER, title or name.replace("_", " ").capitalize(), minimum=minimum, maximum=maximum
    )


def _text(name: str, title: str = "", description: str = "") -> FieldSpec:
    return FieldSpec(name, FieldType.STRING, title or name.replace("_", " ").capitalize(), description=description)


DISTRICT = FieldSpec("police_district", FieldType.INTEGER, "Police district", minimum="1", maximum="5")
COUNCIL = FieldSpec("council_district", FieldType.INTEGER, "Council district", minimum="1", maximum="9")
LOCATION = FieldSpec(
    "location", FieldType.GEOPOINT, "Location", "Latitude and longitude, rounded to the block for privacy."
)
ADDRESS = _text("address", "Block address", "Street address generalised to the hundred block.")
PARCEL = FieldSpec("parcel_id", FieldType.STRING, "Parcel number", required=True, pattern=r"^\d{3}-\d{3}-\d{3}$")
EMPLOYEE = FieldSpec("employee_id", FieldType.STRING, "Employee ID (hashed)", required=True, pattern=r"^[0-9a-f]{16}$")
FISCAL_YEAR = FieldSpec("fiscal_year", FieldType.YEAR, "Fiscal year", required=True, minimum="2015", maximum="2027")
PERSONNEL = "Holds personnel records about named employees (Riverton personnel rules, section 4.2)."
CRIMINAL_JUSTICE = "Criminal justice information: shared only with authorised staff under the CJIS security policy."
HEALTH_RECORDS = "Protected health information under HIPAA and the state medical records act."
SECURITY = "Details of the city's network and systems; publishing them would put those systems at risk."

CRITICAL = "critical_to_decisions"
DEMAND = "public_demand"
GRANT = "grant_reporting"
LEGISLATIVE = "legislative_reporting"
BUDGETING = "performance_budgeting"
SENSITIVE = "sensitive"
READY = "ready"


def _flags(*names: str) -> frozenset[str]:
    return frozenset(names)


INITIATIVES = (
    ("compstat", "CompStat", "The police department's weekly accountability meetings on crime and its causes."),
    (
        "blightstat",
        "BlightStat",
        "Citywide effort on vacant and blighted property: code enforcement, demolition, lots.",
    ),
    ("vision-zero", "Vision Zero", "Eliminate traffic deaths and serious injuries on Riverton's streets by 2035."),
)

D = DatasetSpec
DAILY, WEEKLY, MONTHLY = Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY
QUARTERLY, ANNUAL, CONTINUOUS = Frequency.QUARTERLY, Frequency.ANNUAL, Frequency.CONTINUOUS

# fmt: off
DATASETS: tuple[DatasetSpec, ...] = (
    # --- 311 Customer Service ------------------------------------------------------------------------------------
    D("311-service-requests", "311-customer-service", "311 Service Requests",
      "Every request residents make through the 311 call centre, app and website: what, where, when, and when the "
      "department closed it.", ("311", "service requests", "potholes", "graffiti"), ("City Services",), DAILY,
      (_id("request_id", "Request number", r"^SR-\d{8}$"), _enum("request_type", "Pothole", "Graffiti", "Missed trash",
       "Streetlight out", "Illegal dumping", "Abandoned vehicle", "Other"), _when("opened_at", "Opened"),
       _when("closed_at", "Closed", required=False), _enum("status", "Open", "In progress", "Closed"),
       FieldSpec("days_to_close", FieldType.NUMBER, "Days to close", "Closed minus opened, in days (one decimal); "
                 "empty while the request is open.", minimum="0"), ADDRESS, COUNCIL, LOCATION),
      flags=_flags(CRITICAL, DEMAND, READY), initiatives=("BlightStat",), source_system="Salesforce 311",
      temporal="2016-01-01/2026-10-31", issued=datetime.date(2017, 4, 1), modified=datetime.date(2026, 11, 1)),
    D("311-call-centre-volume", "311-customer-service", "311 Call Centre Volume and Wait Times",
      "Calls offered, answered and abandoned and the average wait, by half hour.",
      ("311", "call centre", "wait times"), ("City Services",), DAILY,
      (_when("interval_start", "Half hour starting"), _int("calls_offered"), _int("calls_answered"),
       _int("calls_abandoned"), _num("average_wait_seconds", "Average wait (seconds)")),
      flags=_flags(CRITICAL, BUDGETING, READY), source_system="Genesys Cloud", temporal="2019-07-01/2026-10-31",
      issued=datetime.date(2020, 1, 15), modified=datetime.date(2026, 11, 1)),
    D("311-customer-satisfaction", "311-customer-service", "311 Customer Satisfaction Survey",
      "Answers to the five-question survey sent after a request is closed.", ("311", "survey", "satisfaction"),
      ("City Services",), MONTHLY,
      (_id("response_id"), _day("survey_date"), _int("overall_rating", "Overall rating (1-5)", "1", "5"),
       _text("request_type")),
      status=Status.QUALITY_CHECKED, flags=_flags(BUDGETING), source_system="Qualtrics",
      temporal="2022-01-01/2026-09-30"),
    D("311-agent-performance", "311-customer-service", "311 Agent Call Handling",
      "Calls handled, handle time and quality scores per call-taker.", ("311", "staffing"), ("City Services",),
      WEEKLY, (EMPLOYEE, _day("week_starting"), _int("calls_handled"), _num("average_handle_seconds")),
      status=Status.DOCUMENTED, access_level=AccessLevel.NON_PUBLIC, rights=PERSONNEL,
      flags=_flags(SENSITIVE), source_system="Genesys Cloud", privacy_notes="Employee IDs are hashed in exports."),
    # --- Police -------------------------------------------------------------------------------------------------
    D("rpd-cad-incidents", "police", "Computer-Aided Dispatch (CAD) Incidents",
      "Calls for service dispatched to police units, with priority, times and disposition.",
      ("911", "calls for service", "dispatch", "response times"), ("Public Safety",), DAILY,
      (_id("incident_number", "Incident number", r"^P\d{9}$"), _enum("priority", "1", "2", "3", "4"),
       _text("call_type"), _when("received_at", "Call received"), _when("dispatched_at", "Unit dispatched"),
       _when("arrived_at", "Unit arrived", required=False),
       FieldSpec("response_minutes", FieldType.NUMBER, "Response time (minutes)", "Unit arrived minus call "
                 "received, in minutes (one decimal); empty when no unit arrived.", minimum="0"), DISTRICT, LOCATION),
      flags=_flags(CRITICAL, DEMAND, READY), initiatives=("CompStat",), source_system="Hexagon CAD",
      temporal="2018-01-01/2026-10-31", issued=datetime.date(2019, 2, 1), modified=datetime.date(2026, 11, 2),
      privacy_notes="Addresses generalised to the block; calls about sexual assault and juveniles are removed."),
    D("rpd-crime-incidents", "police", "Reported Crime Incidents (NIBRS)",
      "Crimes reported to police, classified under the FBI's National Incident-Based Reporting System.",
      ("crime", "NIBRS", "offences"), ("Public Safety",), DAILY,
      (_id("report_number"), _text("offense_code", "NIBRS offence code"), _text("offense_category"),
       _when("occurred_at", "Occurred"), DISTRICT, LOCATION),
      flags=_flags(CRITICAL, DEMAND, GRANT, LEGISLATIVE), initiatives=("CompStat",), source_system="Mark43 RMS",
      temporal="2018-01-01/2026-10-31", issued=datetime.date(2019, 2, 1), modified=datetime.date(2026, 11, 2),
      discovered_from=("police", DiscoveryQuestion.GRANTS)),
    D("rpd-arrests", "police", "Arrests", "Custodial arrests with the top charge, age group and district.",
      ("arrests", "charges"), ("Public Safety",), MONTHLY,
      (_id("arrest_id"), _day("arrest_date"), _text("top_charge"),
       _enum("age_group", "Under 18", "18-24", "25-34", "35-49", "50+"), DISTRICT),
      status=Status.QUALITY_CHECKED, flags=_flags(DEMAND, LEGISLATIVE), initiatives=("CompStat",),
      source_system="Mark43 RMS", temporal="2018-01-01/2026-09-30"),
    D("rpd-use-of-force", "police", "Use of Force Incidents",
      "Every reportable use of force, the type of force, injuries and the outcome of the review.",
      ("use of force", "accountability", "oversight"), ("Public Safety",), QUARTERLY,
      (_id("incident_id"), _day("incident_date"), _enum("force_type", "Hands-on", "Taser", "OC spray", "Firearm",
       "Other"), _enum("subject_injured", "Yes", "No"), _enum("review_outcome", "Within policy", "Out of policy",
       "Pending")),
      flags=_flags(DEMAND, LEGISLATIVE), source_system="IAPro", temporal="2020-01-01/2026-09-30",
      discovered_from=("police", DiscoveryQuestion.OVERSIGHT)),
    D("rpd-traffic-stops", "police", "Traffic Stops", "Traffic stops with the reason, outcome and driver "
      "demographics, as the state's racial-profiling law requires.", ("traffic stops", "racial profiling"),
      ("Public Safety", "Transportation"), MONTHLY,
      (_id("stop_id"), _when("stopped_at"), _text("reason"), _enum("outcome", "Warning", "Citation", "Arrest",
       "No action"), DISTRICT),
      status=Status.DOCUMENTED, flags=_flags(LEGISLATIVE, DEMAND), source_system="Mark43 RMS"),
    D("rpd-officer-overtime", "police", "Police Overtime by Officer",
      "Overtime hours and cost per officer and assignment.", ("overtime", "payroll"), ("Finance",), MONTHLY,
      (EMPLOYEE, _day("pay_period_end"), _num("overtime_hours"), _num("overtime_cost", "Overtime cost (USD)"),
       _text("assignment")),
      status=Status.DOCUMENTED, access_level=AccessLevel.NON_PUBLIC, rights=PERSONNEL,
      flags=_flags(BUDGETING, SENSITIVE), initiatives=("CompStat",), source_system="Telestaff"),
    D("rpd-case-clearance", "police", "Case Clearance Rates",
      "Share of reported Part I crimes cleared by arrest or exception, by month and offence.",
      ("clearance", "investigations"), ("Public Safety",), MONTHLY,
      (_day("month_start"), _text("offense_category"), _int("reported"), _int("cleared")),
      status=Status.IDENTIFIED, access_level=AccessLevel.NON_PUBLIC,
      rights="Not yet reviewed for release.", flags=_flags(CRITICAL), initiatives=("CompStat",)),
    D("rpd-criminal-history", "police", "Criminal History Records", "Records of arrests and dispositions per person.",
      ("criminal history",), ("Public Safety",), CONTINUOUS,
      (_id("person_id"), _day("event_date"), _text("event_type")),
      status=Status.DOCUMENTED, access_level=AccessLevel.NON_PUBLIC, rights=CRIMINAL_JUSTICE,
      flags=_flags(SENSITIVE), source_system="State CCH", privacy_notes="Never leaves the police network."),
    # --- Fire ---------------------------------------------------------------------------------------------------
    D("rfd-incidents", "fire", "Fire Incidents (NFIRS)",
      "Fires and other incidents the Fire Department responded to, coded in the National Fire Incident Reporting "
      "System.", ("fire", "NFIRS", "incidents"), ("Public Safety",), MONTHLY,
      (_id("incident_number"), _when("alarm_at", "Alarm time"), _text("incident_type", "NFIRS incident type"),
       _int("station", "First-due station", "1", "11"), _num("property_loss", "Property loss (USD)"), ADDRESS),
      flags=_flags(CRITICAL, GRANT, READY), source_system="ImageTrend Elite", temporal="2017-01-01/2026-09-30",
      issued=datetime.date(2018, 6, 1), modified=datetime.date(2026, 10, 15)),
    D("rfd-inspections", "fire", "Fire Prevention Inspections",
      "Fire code inspections of businesses and multi-family buildings, with violations found.",
      ("inspections", "fire code"), ("Public Safety", "Business"), WEEKLY,
      (_id("inspection_id"), _day("inspection_date"), PARCEL, _enum("result", "Pass", "Violations found",
       "Re-inspection due"), _int("violations")),
      flags=_flags(DEMAND), source_system="ImageTrend Elite", temporal="2019-01-01/2026-10-31"),
    D("rfd-hydrants", "fire", "Fire Hydrants", "Every hydrant with its flow class and last test date.",
      ("hydrants", "water"), ("Public Safety", "Infrastructure"), ANNUAL,
      (_id("hydrant_id"), _enum("flow_class", "AA", "A", "B", "C"), _day("last_tested", required=False), LOCATION),
      flags=_flags(READY), source_system="ArcGIS Enterprise"),
    D("rfd-response-times", "fire", "Fire Response Times",
      "Turnout and travel times of the first unit on scene, against the NFPA 1710 standard.",
      ("response times", "NFPA 1710"), ("Public Safety",), MONTHLY,
      (_id("incident_number"), _when("alarm_at", "Alarm time"), _num("turnout_seconds"), _num("travel_seconds"),
       FieldSpec("response_seconds", FieldType.NUMBER, "Response time (seconds)", "Turnout plus travel: from the "
                 "alarm to the first unit on scene.", minimum="0"), _int("station", minimum="1", maximum="11")),
      status=Status.QUALITY_CHECKED, flags=_flags(CRITICAL, BUDGETING), source_system="ImageTrend Elite"),
    D("rfd-staffing", "fire", "Fire Shift Staffing", "Firefighters on duty per shift and station, and vacancies "
      "filled with overtime.", ("staffing", "overtime"), ("Public Safety",), DAILY,
      (_day("shift_date"), _int("station", minimum="1", maximum="11"), _int("on_duty"), _int("overtime_fills")),
      status=Status.IDENTIFIED, access_level=AccessLevel.NON_PUBLIC, rights="Not yet reviewed for release.",
      flags=_flags(BUDGETING), source_system="Telestaff"),
    # --- EMS ----------------------------------------------------------------------------------------------------
    D("ems-response-times", "ems", "EMS Response Times",
      "Time from 911 call to an ambulance at the patient, by priority and neighbourhood.",
      ("EMS", "ambulance", "response times"), ("Public Safety", "Health"), DAILY,
      (_id("run_number"), _enum("priority", "Echo", "Delta", "Charlie", "Bravo", "Alpha"), _when("call_at"),
       _when("on_scene_at"), _num("response_seconds", minimum="0"), COUNCIL),
      flags=_flags(CRITICAL, DEMAND, BUDGETING, READY), source_system="ESO", temporal="2019-01-01/2026-10-31",
      issued=datetime.date(2020, 3, 1), modified=datetime.date(2026, 11, 1)),
    D("ems-patient-care-reports", "ems", "EMS Patient Care Reports",
      "Clinical records of every patient treated or transported.", ("EMS", "patient care"), ("Health",),
      CONTINUOUS, (_id("pcr_number"), _when("call_at"), _text("primary_impression"), _text("disposition")),
      status=Status.DOCUMENTED, access_level=AccessLevel.NON_PUBLIC, rights=HEALTH_RECORDS,
      flags=_flags(SENSITIVE, GRANT), source_system="ESO", privacy_notes="Protected health information."),
    D("ems-overdose-responses", "ems", "Suspected Overdose Responses",
      "EMS responses to suspected opioid overdoses and naloxone given, by week and neighbourhood.",
      ("overdose", "naloxone", "opioids"), ("Health", "Public Safety"), WEEKLY,
      (_day("week_starting"), COUNCIL, _int("responses"), _int("naloxone_doses")),
      flags=_flags(GRANT, DEMAND), source_system="ESO", temporal="2020-01-01/2026-10-31"),
    D("ems-hospital-wall-time", "ems", "Ambulance Hospital Offload Times",
      "How long crews wait at each hospital before handing over a patient.", ("EMS", "hospitals", "offload"),
      ("Health",), MONTHLY, (_day("month_start"), _text("hospital"), _num("median_offload_minutes")),
      status=Status.IDENTIFIED, access_level=AccessLevel.RESTRICTED_PUBLIC,
      rights="Shared with the hospitals and the state under a data-use agreement.", flags=_flags(CRITICAL)),
    # --- Public Works and its divisions -------------------------------------------------------------------------
    D("dpw-fleet-maintenance", "public-works", "City Fleet Maintenance",
      "Work orders on city vehicles and equipment: downtime, parts and labour cost.",
      ("fleet", "vehicles", "maintenance"), ("Infrastructure", "Finance"), WEEKLY,
      (_id("work_order"), _text("vehicle_id"), _day("opened"), _day("closed", required=False),
       _num("labor_cost"), _num("parts_cost")),
      status=Status.QUALITY_CHECKED, flags=_flags(BUDGETING), source_system="FleetFocus"),
    D("dpw-capital-projects", "public-works", "Capital Projects",
      "Capital projects with budget, spending to date and schedule.", ("capital projects", "construction"),
      ("Infrastructure", "Finance"), MONTHLY,
      (_id("project_id"), _text("project_name"), _num("budget"), _num("spent_to_date"),
       _enum("phase", "Planning", "Design", "Construction", "Complete")),
      flags=_flags(LEGISLATIVE, BUDGETING, DEMAND), source_system="Oracle EBS Projects"),
    D("dpw-building-energy", "public-works", "City Building Energy Use",
      "Monthly electricity and gas use of every city building.", ("energy", "buildings", "sustainability"),
      ("Environment",), MONTHLY, (_text("building"), _day("month_start"), _num("kwh"), _num("therms")),
      status=Status.DOCUMENTED, flags=_flags(GRANT), source_system="ENERGY STAR Portfolio Manager"),
    D("dpw-sm-potholes", "street-maintenance", "Pothole Repairs",
      "Potholes reported and repaired, with the days taken to fill them.", ("potholes", "streets", "311"),
      ("Transportation", "Infrastructure"), DAILY,
      (_id("work_order"), _text("service_request", "311 request number"), _day("reported"),
       _day("repaired", required=False), _int("days_to_repair"), COUNCIL, LOCATION),
      flags=_flags(CRITICAL, DEMAND, READY), source_system="Cityworks", temporal="2018-01-01/2026-10-31",
      issued=datetime.date(2018, 9, 1), modified=datetime.date(2026, 11, 1)),
    D("dpw-sm-street-sweeping", "street-maintenance", "Street Sweeping Routes and Schedule",
      "Sweeping routes, days and the miles swept.", ("street sweeping", "parking"), ("Transportation",), WEEKLY,
      (_id("route_id"), _enum("sweep_day", "Mon", "Tue", "Wed", "Thu", "Fri"), _num("miles_swept")),
      flags=_flags(DEMAND, READY), source_system="Cityworks"),
    D("dpw-sm-pavement-condition", "street-maintenance", "Pavement Condition Index",
      "The condition score (0-100) of every street segment from the latest survey.", ("pavement", "streets"),
      ("Infrastructure",), ANNUAL,
      (_id("segment_id"), _text("street_name"), _int("pci", "Pavement condition index", "0", "100"),
       _day("surveyed")),
      status=Status.QUALITY_CHECKED, flags=_flags(BUDGETING, LEGISLATIVE), source_system="StreetSaver"),
    D("dpw-sm-snow-response", "street-maintenance", "Snow and Ice Response",
      "Plough and salt truck runs per storm and the hours to clear priority routes.", ("snow", "winter"),
      ("Transportation",), Frequency.IRREGULAR,
      (_text("storm_name"), _day("storm_date"), _int("truck_runs"), _num("hours_to_clear_priority")),
      status=Status.IDENTIFIED, access_level=AccessLevel.NON_PUBLIC, rights="Not yet reviewed for release."),
    D("dpw-sw-collection", "solid-waste", "Trash and Recycling Collection Tonnage",
      "Tons of trash, recycling and yard waste collected per route and week.", ("trash", "recycling", "tonnage"),
      ("Environment", "City Services"), WEEKLY,
      (_text("route_id"), _day("week_starting"), _num("trash_tons"), _num("recycling_tons"),
       _num("yard_waste_tons")),
      flags=_flags(BUDGETING, READY), source_system="Routeware"),
    D("dpw-sw-missed-pickups", "solid-waste", "Missed Collections",
      "Missed trash and recycling pickups reported through 311 and how fast crews returned.",
      ("missed pickups", "311"), ("City Services",), DAILY,
      (_id("service_request"), _day("reported"), _enum("stream", "Trash", "Recycling", "Yard waste", "Bulk"),
       _int("hours_to_resolve")),
      flags=_flags(CRITICAL, DEMAND), source_system="Salesforce 311"),
    D("dpw-sw-illegal-dumping", "solid-waste", "Illegal Dumping Clean-ups",
      "Illegal dumping sites cleaned, tons removed and repeat locations.", ("illegal dumping", "blight"),
      ("Environment", "Housing"), WEEKLY,
      (_id("cleanup_id"), _day("cleaned_on"), _num("tons_removed"), ADDRESS),
      status=Status.DOCUMENTED, flags=_flags(DEMAND), initiatives=("BlightStat",), source_system="Cityworks"),
    # --- Transportation -----------------------------------------------------------------------------------------
    D("dot-crashes-by-intersection", "transportation", "Traffic Crashes by Intersection",
      "Reported traffic crashes with severity, the people involved and the nearest intersection.",
      ("crashes", "traffic safety", "intersections"), ("Transportation", "Public Safety"), MONTHLY,
      (_id("crash_id"), _when("crashed_at"), _text("intersection"),
       _enum("targeted_intersection", "Yes", "No", title="One of the 50 targeted intersections"),
       _enum("severity", "Fatal", "Serious injury",
       "Minor injury", "Property damage only"), _int("pedestrians_involved"), _int("cyclists_involved"), LOCATION),
      flags=_flags(CRITICAL, DEMAND, GRANT, READY), initiatives=("Vision Zero",), source_system="State crash "
      "records (DOT)", temporal="2014-01-01/2026-09-30", issued=datetime.date(2016, 5, 1),
      modified=datetime.date(2026, 10, 20)),
    D("dot-traffic-counts", "transportation", "Traffic Counts", "Vehicle, bike and pedestrian counts by location "
      "and hour.", ("traffic counts", "bikes", "pedestrians"), ("Transportation",), Frequency.IRREGULAR,
      (_text("count_station"), _when("hour_starting"), _int("vehicles"), _int("bikes"), _int("pedestrians")),
      flags=_flags(READY), initiatives=("Vision Zero",), source_system="Miovision"),
    D("dot-signal-timing", "transportation", "Traffic Signal Inventory and Timing",
      "Every signalised intersection with its controller and timing plan.", ("signals", "intersections"),
      ("Transportation", "Infrastructure"), QUARTERLY,
      (_id("signal_id"), _text("intersection"), _text("controller_model"), _day("last_retimed", required=False)),
      status=Status.QUALITY_CHECKED, source_system="Centracs ATMS"),
    D("dot-parking-citations", "transportation", "Parking Citations",
      "Parking tickets issued: violation, fine, location and whether it was paid.", ("parking", "citations"),
      ("Transportation", "Finance"), DAILY,
      (_id("citation_number"), _when("issued_at"), _text("violation"), _num("fine_amount"),
       _enum("paid", "Yes", "No", "Contested"), ADDRESS),
      flags=_flags(DEMAND, BUDGETING), source_system="T2 Flex"),
    D("dot-bike-network", "transportation", "Bike Network", "Bike lanes, trails and greenways with their "
      "separation type.", ("bike lanes", "trails"), ("Transportation",), Frequency.SEMIANNUAL,
      (_id("segment_id"), _enum("facility_type", "Protected lane", "Painted lane", "Shared lane", "Trail"),
       _num("miles")),
      flags=_flags(READY), initiatives=("Vision Zero",), source_system="ArcGIS Enterprise"),
    D("dot-high-injury-network", "transportation", "High-Injury Street Network",
      "The 8% of street miles where 60% of serious and fatal crashes happen.", ("high-injury network", "crashes"),
      ("Transportation", "Public Safety"), ANNUAL,
      (_id("segment_id"), _text("street_name"), _int("serious_crashes_5yr")),
      status=Status.DOCUMENTED, flags=_flags(CRITICAL, LEGISLATIVE), initiatives=("Vision Zero",),
      discovered_from=("transportation", DiscoveryQuestion.INITIATIVE)),
    # --- Housing & Code Enforcement -----------------------------------------------------------------------------
    D("hce-code-violations", "housing-code-enforcement", "Code Violations",
      "Property-maintenance and housing-code violations cited, with the inspector's findings and compliance.",
      ("code enforcement", "violations", "blight"), ("Housing",), DAILY,
      (_id("case_number", pattern=r"^CE-\d{4}-\d{5}$"), PARCEL, _day("opened"), _text("violation_code"),
       _enum("status", "Open", "Complied", "Referred to court", "Closed"), ADDRESS),
      flags=_flags(CRITICAL, DEMAND, READY), initiatives=("BlightStat",), source_system="Accela",
      temporal="2017-01-01/2026-10-31", issued=datetime.date(2018, 1, 10), modified=datetime.date(2026, 11, 1)),
    D("hce-open-cases", "housing-code-enforcement", "Code Enforcement Open Cases by Month",
      "Code-enforcement cases open at the end of each month, and those open more than 30 days (the backlog), by "
      "council district.", ("code enforcement", "backlog", "blight"), ("Housing",), MONTHLY,
      (_day("month_start", "Month"), FieldSpec("council_district", FieldType.INTEGER, "Council district",
       required=True, minimum="1", maximum="9"), _int("open_cases", "Open cases at the month's end"),
       _int("open_over_30_days", "Open more than 30 days at the month's end")),
      status=Status.QUALITY_CHECKED, flags=_flags(CRITICAL, BUDGETING), initiatives=("BlightStat",),
      source_system="Accela", temporal="2023-01-01/2026-10-31"),
    D("hce-building-permits", "housing-code-enforcement", "Building Permits",
      "Building, electrical, plumbing and demolition permits applied for and issued, with valuation.",
      ("permits", "construction", "development"), ("Housing", "Business"), DAILY,
      (_id("permit_number"), PARCEL, _enum("permit_type", "Building", "Electrical", "Plumbing", "Mechanical",
       "Demolition"), _day("applied"), _day("issued", required=False),
       FieldSpec("days_to_issue", FieldType.INTEGER, "Days to issue", "Issued minus applied, in days; empty until "
                 "the permit is issued.", minimum="0"), _num("valuation")),
      flags=_flags(DEMAND, BUDGETING, READY), source_system="Accela", temporal="2015-01-01/2026-10-31"),
    D("hce-vacant-properties", "housing-code-enforcement", "Vacant and Abandoned Properties Registry",
      "Registered vacant buildings, their owners' compliance and the city's board-ups.",
      ("vacant properties", "blight"), ("Housing",), MONTHLY,
      (PARCEL, _day("registered"), _enum("condition", "Secured", "Open to entry", "Fire damaged"),
       _int("board_ups")),
      flags=_flags(LEGISLATIVE), initiatives=("BlightStat",), source_system="Accela",
      discovered_from=("housing-code-enforcement", DiscoveryQuestion.LEGISLATIVE)),
    D("hce-rental-registry", "housing-code-enforcement", "Rental Registry",
      "Licensed rental properties, units and inspection due dates.", ("rental", "housing"), ("Housing",),
      MONTHLY, (PARCEL, _int("units"), _day("license_expires"), _day("next_inspection", required=False)),
      status=Status.DOCUMENTED, access_level=AccessLevel.RESTRICTED_PUBLIC,
      rights="Owner contact details are withheld; the rest is available on request.", source_system="Accela",
      privacy_notes="Landlord names and phone numbers are personal data."),
    D("hce-demolitions", "housing-code-enforcement", "Demolitions", "City-funded demolitions of unsafe buildings "
      "and their cost.", ("demolitions", "blight"), ("Housing",), MONTHLY,
      (PARCEL, _day("demolished"), _num("cost"), _text("funding_source")),
      status=Status.QUALITY_CHECKED, flags=_flags(GRANT, LEGISLATIVE), initiatives=("BlightStat",),
      source_system="Accela"),
    # --- Health -------------------------------------------------------------------------------------------------
    D("rhd-restaurant-inspections", "health", "Restaurant Inspections",
      "Food-safety inspections of restaurants and food stores with their scores and violations.",
      ("restaurants", "food safety", "inspections"), ("Health", "Business"), DAILY,
      (_id("inspection_id"), _text("establishment"), _day("inspection_date"),
       _int("score", "Score (0-100)", "0", "100"), _enum("result", "Pass", "Conditional", "Closed"), ADDRESS),
      flags=_flags(DEMAND, READY), source_system="Digital Health Department", temporal="2016-01-01/2026-10-31",
      issued=datetime.date(2017, 3, 1), modified=datetime.date(2026, 11, 2)),
    D("rhd-overdose-deaths", "health", "Overdose Deaths", "Confirmed overdose deaths by month, drug and age group, "
      "from the medical examiner.", ("overdose", "opioids", "deaths"), ("Health",), MONTHLY,
      (_day("month_start"), _text("drug_class"), _enum("age_group", "Under 25", "25-44", "45-64", "65+"),
       _int("deaths")),
      status=Status.QUALITY_CHECKED, flags=_flags(GRANT, DEMAND, LEGISLATIVE), source_system="Medical examiner",
      privacy_notes="Counts under 5 are suppressed."),
    D("rhd-immunizations", "health", "Childhood Immunization Rates",
      "Share of kindergartners fully immunised, by school.", ("immunization", "schools"), ("Health",), ANNUAL,
      (_text("school"), FISCAL_YEAR, _num("percent_immunized", minimum="0", maximum="100")),
      flags=_flags(GRANT), source_system="State immunization registry"),
    D("rhd-disease-reports", "health", "Notifiable Disease Reports", "Case reports of notifiable diseases.",
      ("disease", "surveillance"), ("Health",), CONTINUOUS,
      (_id("case_id"), _text("condition"), _day("onset_date")),
      status=Status.DOCUMENTED, access_level=AccessLevel.NON_PUBLIC, rights=HEALTH_RECORDS,
      flags=_flags(SENSITIVE, GRANT), source_system="State surveillance system"),
    D("rhd-lead-testing", "health", "Childhood Blood Lead Testing",
      "Children tested for lead and elevated results, by neighbourhood.", ("lead", "children"), ("Health",),
      QUARTERLY, (_day("quarter_start"), COUNCIL, _int("tested"), _int("elevated")),
      status=Status.IDENTIFIED, access_level=AccessLevel.NON_PUBLIC, rights="Not yet reviewed",
      flags=_flags(GRANT), discovered_from=("health", DiscoveryQuestion.GRANTS)),
    # --- Parks & Recreation -------------------------------------------------------------------------------------
    D("prd-facility-reservations", "parks-recreation", "Park and Facility Reservations",
      "Pavilion, field and room bookings with dates, attendance and fees.", ("reservations", "parks", "fields"),
      ("Recreation",), DAILY,
      (_id("reservation_id"), _text("facility"), _day("reserved_for"), _int("expected_attendance"),
       _num("fee_paid")),
      flags=_flags(DEMAND, READY), source_system="ActiveNet"),
    D("prd-program-enrollment", "parks-recreation", "Recreation Program Enrollment",
      "Enrolment and waitlists in youth and adult programmes by season and centre.", ("programs", "youth"),
      ("Recreation",), QUARTERLY,
      (_text("program"), _text("centre"), _enum("season", "Winter", "Spring", "Summer", "Fall"), _int("enrolled"),
       _int("waitlisted")),
      status=Status.QUALITY_CHECKED, flags=_flags(BUDGETING), source_system="ActiveNet"),
    D("prd-tree-inventory", "parks-recreation", "Street Tree Inventory", "Every street and park tree with species, "
      "size and condition.", ("trees", "urban forestry"), ("Environment",), ANNUAL,
      (_id("tree_id"), _text("species"), _int("diameter_inches"), _enum("condition", "Good", "Fair", "Poor", "Dead"),
       LOCATION),
      flags=_flags(READY), source_system="TreeKeeper"),
    D("prd-pool-attendance", "parks-recreation", "Pool Attendance", "Daily swims at the city's pools.",
      ("pools", "attendance"), ("Recreation",), DAILY, (_text("pool"), _day("date"), _int("swimmers")),
      status=Status.DOCUMENTED, source_system="ActiveNet"),
    D("prd-park-maintenance", "parks-recreation", "Park Maintenance Work Orders",
      "Mowing, litter and repair work orders by park.", ("maintenance", "parks"), ("Recreation",), WEEKLY,
      (_id("work_order"), _text("park"), _text("task"), _day("completed", required=False)),
      status=Status.IDENTIFIED, access_level=AccessLevel.NON_PUBLIC, rights="Not yet reviewed"),
    # --- Finance & Budget ---------------------------------------------------------------------------------------
    D("fin-budget-actuals", "finance-budget", "Budget and Actual Spending",
      "Adopted budget, amended budget and actual spending by department, fund and account.",
      ("budget", "spending", "actuals"), ("Finance",), MONTHLY,
      (FISCAL_YEAR, _text("department"), _text("fund"), _text("account"), _num("adopted", minimum=""),
       _num("amended", minimum=""), _num("actual", minimum="")),
      flags=_flags(CRITICAL, BUDGETING, LEGISLATIVE, DEMAND, READY), source_system="Oracle EBS",
      temporal="2015-07-01/2026-10-31", issued=datetime.date(2016, 8, 1), modified=datetime.date(2026, 11, 5)),
    D("fin-payroll-overtime", "finance-budget", "Overtime by Department",
      "Overtime hours and cost by department and pay period.", ("overtime", "payroll"), ("Finance",),
      Frequency.BIWEEKLY, (_text("department"), _day("pay_period_end"), _num("overtime_hours"), _num("overtime_cost")),
      flags=_flags(BUDGETING, DEMAND, LEGISLATIVE), source_system="Workday"),
    D("fin-sick-leave", "finance-budget", "Sick Leave Use", "Sick leave hours used per employee and pay period.",
      ("sick leave", "payroll", "attendance"), ("Finance",), Frequency.BIWEEKLY,
      (EMPLOYEE, _text("department"), _day("pay_period_end"), _num("sick_hours")),
      status=Status.DOCUMENTED, access_level=AccessLevel.NON_PUBLIC, rights=PERSONNEL,
      flags=_flags(BUDGETING, SENSITIVE), source_system="Workday"),
    D("fin-vendor-payments", "finance-budget", "Vendor Payments", "Every payment to a vendor over $1,000.",
      ("payments", "vendors", "checkbook"), ("Finance",), MONTHLY,
      (_id("payment_id"), _day("paid_on"), _text("vendor"), _num("amount"), _text("department")),
      flags=_flags(DEMAND, LEGISLATIVE, READY), source_system="Oracle EBS"),
    D("fin-revenue-collections", "finance-budget", "Revenue Collections",
      "Taxes and fees collected by source and month.", ("revenue", "taxes"), ("Finance",), MONTHLY,
      (_day("month_start"), _text("revenue_source"), _num("collected")),
      status=Status.QUALITY_CHECKED, flags=_flags(BUDGETING, LEGISLATIVE), source_system="Oracle EBS"),
    # --- Information Technology ---------------------------------------------------------------------------------
    D("it-help-desk-tickets", "information-technology", "IT Help Desk Tickets",
      "Tickets opened with the IT service desk, their category, priority and time to resolve.",
      ("IT tickets", "service desk"), ("City Services",), DAILY,
      (_id("ticket_number"), _when("opened_at"), _enum("priority", "P1", "P2", "P3", "P4"), _text("category"),
       _num("hours_to_resolve")),
      status=Status.QUALITY_CHECKED, access_level=AccessLevel.NON_PUBLIC,
      rights="Internal operational data; requesters' names appear in ticket text.", flags=_flags(BUDGETING),
      source_system="ServiceNow"),
    D("it-open-data-usage", "information-technology", "Open Data Portal Usage",
      "Page views and downloads of each dataset on the open data portal.", ("open data", "analytics"),
      ("City Services",), MONTHLY,
      (_text("dataset_identifier"), _day("month_start"), _int("page_views"), _int("downloads")),
      flags=_flags(READY), source_system="Portal analytics"),
    D("it-address-points", "information-technology", "Address Points", "The city's master address list with "
      "coordinates and parcel links.", ("addresses", "GIS"), ("Infrastructure",), WEEKLY,
      (_id("address_id"), _text("full_address"), PARCEL, LOCATION),
      flags=_flags(CRITICAL, READY), source_system="ArcGIS Enterprise"),
    D("it-security-incidents", "information-technology", "Cybersecurity Incidents",
      "Security incidents detected and how they were contained.", ("security",), ("City Services",), MONTHLY,
      (_id("incident_id"), _when("detected_at"), _text("category"), _text("containment")),
      status=Status.DOCUMENTED, access_level=AccessLevel.NON_PUBLIC, rights=SECURITY, flags=_flags(SENSITIVE),
      source_system="Splunk"),
    # --- Library (no contact yet: no steward) -------------------------------------------------------------------
    D("rpl-circulation", "library", "Library Circulation", "Items checked out and renewed by branch, format and "
      "month.", ("library", "circulation", "checkouts"), ("Education", "Recreation"), MONTHLY,
      (_text("branch"), _day("month_start"), _enum("format", "Book", "E-book", "Audiobook", "DVD", "Other"),
       _int("checkouts"), _int("renewals")),
      flags=_flags(DEMAND, READY), source_system="Polaris ILS"),
    D("rpl-visits-wifi", "library", "Library Visits and Wi-Fi Sessions", "Door counts and Wi-Fi sessions by branch "
      "and day.", ("library", "visits", "wifi"), ("Education",), DAILY,
      (_text("branch"), _day("date"), _int("visitors"), _int("wifi_sessions")),
      status=Status.QUALITY_CHECKED, flags=_flags(BUDGETING)),
    D("rpl-program-attendance", "library", "Library Program Attendance", "Story times, classes and events with "
      "their attendance.", ("library", "programs"), ("Education",), MONTHLY,
      (_text("branch"), _day("event_date"), _text("program"), _int("attendance")),
      status=Status.IDENTIFIED, access_level=AccessLevel.NON_PUBLIC, rights="Not yet reviewed"),
)

# fmt: on

#: Discovery answers: (department slug, question, answered on, respondent email, answer).
ANSWERS: tuple[tuple[str, int, datetime.date, str, str], ...] = (
    (
        "police",
        1,
        datetime.date(2024, 2, 14),
        "dana.whitaker",
        "Yes: the Byrne JAG grant (quarterly crime and arrest counts) and the COPS hiring grant.",
    ),
    (
        "police",
        2,
        datetime.date(2024, 2, 14),
        "dana.whitaker",
        "Mark43 RMS for reports and arrests, Hexagon CAD for dispatch, IAPro for internal affairs, Telestaff for "
        "scheduling.",
    ),
    (
        "police",
        3,
        datetime.date(2024, 2, 14),
        "raymond.castillo",
        "A monthly crime report to the Public Safety Committee and the annual traffic-stop report the state requires.",
    ),
    (
        "police",
        5,
        datetime.date(2024, 2, 14),
        "raymond.castillo",
        "The state Attorney General's pattern-or-practice agreement asks for quarterly use-of-force reporting.",
    ),
    (
        "police",
        5,
        datetime.date(2025, 6, 3),
        "raymond.castillo",
        "The AG agreement now also covers traffic stops; its monitor reviews both datasets twice a year.",
    ),
    (
        "police",
        7,
        datetime.date(2024, 2, 14),
        "dana.whitaker",
        "Crime maps, use-of-force numbers and body-camera footage are the most requested under FOIA.",
    ),
    ("police", 8, datetime.date(2024, 2, 14), "raymond.castillo", "Everything above feeds CompStat every week."),
    (
        "311-customer-service",
        2,
        datetime.date(2024, 3, 5),
        "luis.romero",
        "Salesforce holds every request since 2016; Genesys holds call statistics.",
    ),
    (
        "311-customer-service",
        6,
        datetime.date(2024, 3, 5),
        "tanya.brooks",
        "Our budget targets are answer rate and average wait; we report them each quarter.",
    ),
    (
        "311-customer-service",
        7,
        datetime.date(2024, 3, 5),
        "luis.romero",
        "Open requests near an address, and how long potholes take to fix.",
    ),
    (
        "housing-code-enforcement",
        3,
        datetime.date(2024, 4, 9),
        "beatriz.santos",
        "The council's Housing Committee gets a monthly report on vacant properties and demolitions.",
    ),
    (
        "housing-code-enforcement",
        8,
        datetime.date(2024, 4, 9),
        "kevin.doyle",
        "Code violations, vacant properties and demolitions are the core of BlightStat.",
    ),
    (
        "transportation",
        1,
        datetime.date(2024, 5, 21),
        "aisha.rahman",
        "The federal Safe Streets and Roads for All grant needs crash data by intersection every year.",
    ),
    (
        "transportation",
        8,
        datetime.date(2024, 5, 21),
        "aisha.rahman",
        "Vision Zero: the high-injury network and crashes by intersection.",
    ),
    (
        "health",
        1,
        datetime.date(2024, 6, 11),
        "omar.haddad",
        "CDC Overdose Data to Action and the state lead-poisoning prevention grant.",
    ),
    ("health", 7, datetime.date(2024, 6, 11), "omar.haddad", "Restaurant inspection results, every week."),
)

#: Who stewards each department's datasets: its contact in the team demo (Library and the divisions have none).
STEWARDS = {
    "police": "dana.whitaker",
    "fire": "victor.nguyen",
    "ems": "sofia.lindqvist",
    "public-works": "mei.chen",
    "transportation": "aisha.rahman",
    "housing-code-enforcement": "kevin.doyle",
    "311-customer-service": "luis.romero",
    "health": "omar.haddad",
    "parks-recreation": "rosa.delgado",
    "finance-budget": "irene.foster",
    "information-technology": "daniel.osei",
}


def _email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


@dataclass
class _Context:
    departments: dict[str, Department]
    people: dict[str, Person]
    stewards: dict[str, Person] = field(default_factory=dict)
    initiatives: dict[str, Initiative] = field(default_factory=dict)
    fields: list[DataField] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)


def _initiatives(report) -> dict[str, Initiative]:
    found = {}
    for slug, name, description in INITIATIVES:
        initiative = Initiative.objects.filter(slug=slug).first()
        if initiative is None:
            initiative = Initiative.objects.create(slug=slug, name=name, description=description)
            report.created["initiatives"] += 1
        found[name] = initiative
    return found


def _answers(context: _Context, report) -> None:
    for slug, question, answered_on, who, text in ANSWERS:
        department = context.departments[slug]
        if DiscoveryAnswer.objects.filter(department=department, question=question, answered_on=answered_on).exists():
            continue
        discovery_answer_record(
            by=None,
            department=department,
            question=question,
            answer=text,
            respondent=context.people.get(_email(who)),
            answered_on=answered_on,
        )
        report.created["discovery answers"] += 1


def _distributions(spec: DatasetSpec) -> list[Distribution]:
    if spec.status in (Status.IDENTIFIED,) or spec.access_level == AccessLevel.NON_PUBLIC:
        return []
    if spec.access_level == AccessLevel.RESTRICTED_PUBLIC:
        return [
            Distribution(
                title="Request access", access_url=f"{PORTAL}/request-access/{spec.identifier}", format="Web page"
            )
        ]
    return [
        Distribution(
            title="CSV download",
            download_url=f"{PORTAL}/api/views/{spec.identifier}/rows.csv",
            media_type="text/csv",
            format="CSV",
            position=0,
        ),
        Distribution(
            title="JSON API",
            access_url=f"{PORTAL}/resource/{spec.identifier}.json",
            format="API",
            position=1,
        ),
    ]


def _dataset(spec: DatasetSpec, context: _Context, report) -> None:
    if Dataset.objects.filter(identifier=spec.identifier).exists():
        return
    department = context.departments[spec.department]
    discovered_from = None
    if spec.discovered_from:
        slug, question = spec.discovered_from
        discovered_from = (
            DiscoveryAnswer.objects.filter(department__slug=slug, question=question).order_by("answered_on").first()
        )
    dataset = dataset_create(
        by=None,
        identifier=spec.identifier,
        title=spec.title,
        description=spec.description,
        department=department,
        contact=context.stewards.get(spec.department),
        source_system=spec.source_system,
        access_level=spec.access_level,
        rights=spec.rights,
        license=LICENSE if spec.access_level == AccessLevel.PUBLIC else "",
        accrual_periodicity=spec.frequency,
        temporal=spec.temporal,
        spatial=SPATIAL,
        issued=spec.issued,
        modified=spec.modified,
        landing_page=f"{PORTAL}/d/{spec.identifier}" if spec.published else "",
        privacy_notes=spec.privacy_notes,
        published=spec.published,
        status=spec.status,
        discovered_from=discovered_from,
        keywords=spec.keywords,
        themes=spec.themes,
        initiatives=[context.initiatives[name] for name in spec.initiatives],
        **dict.fromkeys(spec.flags, True),
    )
    fields = [
        DataField(
            dataset=dataset,
            position=position,
            name=f.name,
            title=f.title,
            type=f.type,
            description=f.description,
            required=f.required,
            unique=f.unique,
            allowed_values=list(f.allowed_values),
            minimum=f.minimum,
            maximum=f.maximum,
            pattern=f.pattern,
            format=f.format,
        )
        for position, f in enumerate(spec.fields)
    ]
    distributions = _distributions(spec)
    for distribution in distributions:
        distribution.dataset = dataset
    # Written for every dataset at once, at the end (see inventory_demo_seed).
    context.fields += fields
    context.distributions += distributions
    report.created["datasets"] += 1


@transaction.atomic
def inventory_demo_seed(*, report) -> None:
    """Add whatever of the demo inventory is missing (initiatives, discovery answers, datasets with their
    dictionaries and distributions), counting what it creates in ``report.created``.

    Guarantees: idempotent (a second run creates and changes nothing); existing rows are never modified; a steward
    is set only if they are still a current contact of the owner department."""
    departments = {d.slug: d for d in Department.objects.filter(slug__in={s.department for s in DATASETS})}
    people = {p.email.lower(): p for p in Person.objects.filter(email__endswith="riverton.example")}
    context = _Context(departments=departments, people=people)
    current_contacts = set(
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_CONTACT)
        .values_list("person_id", "department__slug")
    )
    for slug, local in STEWARDS.items():
        person = people.get(_email(local))
        if person is not None and (person.pk, slug) in current_contacts:
            context.stewards[slug] = person
    context.initiatives = _initiatives(report)
    _answers(context, report)
    for spec in DATASETS:
        _dataset(spec, context, report)
    # With their history (so the history page and restoring a version know them), in two inserts each.
    bulk_create_with_history(context.fields, DataField, batch_size=1000, default_change_reason="Demo city")
    bulk_create_with_history(context.distributions, Distribution, batch_size=1000, default_change_reason="Demo city")

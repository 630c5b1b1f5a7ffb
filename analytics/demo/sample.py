"""Synthetic demo data: an invented Dutch academic workplace (academische werkplaats) with learning networks.

Why: a coach, a reviewer or a test should be able to try every page without real (personal) data, and the
numbers should tell stories a coach recognises, so the demo also shows whether the dashboard makes them visible:

1. "Zelfregulerend leren": a shared lunch is introduced (2024-01-17); in the waves after it connectedness
   (3a, 3c) rises and more ties cross school borders. When the lunch stops again for cost reasons (2026-01-14),
   connectedness drops and the tie map thins out; 3b moves towards its right pole ("weak ties").
2. "Onderzoekend leren": the coaches encourage school visits (2024-10-01) and invite outside experts
   (2025-03-26): the share of ties between organisations and to outside people rises wave by wave, and so do
   the weak ties (3b / 4b move towards weak ties / broader activities).
3. Value stays potential in "Hoogbegaafdheid"; in "Rekenen" it becomes applied and realized, later also
   transformative.
4. Student teachers sit at the edge of the tie maps (few incoming ties), except in "Rekenen".
5. Participants disagree: 4c (hierarchical <-> equal) is bimodal in "Hoogbegaafdheid".
6. "Nieuwkomersonderwijs" is a small network (about seven people): its means move, but their 95% intervals
   are wide, and the pages say so.

Entry points: :func:`write_sample` writes the five demo files in the shapes people really bring (a Dutch-Excel
CSV in cp1252 with semicolons and decimal commas, a UTF-8-with-BOM semicolon file, plain CSVs);
:func:`write_participants_csv` and :func:`write_ties_csv` write large plain files fast, for benchmarks.
All randomness comes from seeded generators (never global state): the same seed and scale give the same bytes.
Every name of a person, school or institution here is invented.
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------- calendar
#: One survey date per wave: dimensions and ties are both surveyed on these days (October and March).
WAVE_DATES: tuple[date, ...] = (
    date(2023, 10, 12),
    date(2024, 3, 14),
    date(2024, 10, 10),
    date(2025, 3, 13),
    date(2025, 10, 9),
    date(2026, 3, 12),
)
YEAR_STARTS = (date(2023, 9, 4), date(2024, 9, 2), date(2025, 9, 1))
YEAR_ENDS = (date(2024, 7, 12), date(2025, 7, 11), date(2026, 7, 10))
#: Half-year periods in which value stories are collected (school year halves).
PERIODS: tuple[tuple[date, date], ...] = tuple(
    p
    for start, end in zip(YEAR_STARTS, YEAR_ENDS, strict=True)
    for p in ((start, date(end.year, 1, 31)), (date(end.year, 2, 1), end))
)
LUNCH_START = date(2024, 1, 17)
LUNCH_STOP = date(2026, 1, 14)
VISITS_START = date(2024, 10, 1)
EXPERTS_START = date(2025, 3, 26)
#: Index of the first wave after each story event (used by the story knobs below and by the tests).
LUNCH_START_WAVE = next(i for i, d in enumerate(WAVE_DATES) if d > LUNCH_START)
LUNCH_WAVE = next(i for i, d in enumerate(WAVE_DATES) if d > LUNCH_STOP)
VISITS_WAVE = next(i for i, d in enumerate(WAVE_DATES) if d > VISITS_START)
EXPERTS_WAVE = next(i for i, d in enumerate(WAVE_DATES) if d > EXPERTS_START)

# --------------------------------------------------------------------------------------------- vocabulary
ZRL, OZL, HB, REK = "Zelfregulerend leren", "Onderzoekend leren", "Hoogbegaafdheid", "Rekenen"
NKO = "Nieuwkomersonderwijs"
STORY_NETWORKS = (ZRL, OZL, HB, REK, NKO)
#: Further networks, only used when scale > 1 (a bigger region with more networks of realistic size).
EXTRA_NETWORKS = (
    "Leesmotivatie", "Burgerschap", "Digitale geletterdheid", "Wereldoriëntatie", "Passend onderwijs",
    "Begrijpend lezen", "Kunst en cultuur", "Bewegend leren", "Meertaligheid", "Ouderbetrokkenheid",
    "Techniek en wetenschap", "Formatief evalueren", "Sociale veiligheid", "Jonge kind", "Duurzaamheid",
)  # fmt: skip
ROLES = ("teacher", "student_teacher", "teacher_educator", "researcher", "coach", "expert")
TIE_TYPES = ("advice", "knowledge_sharing", "collaboration")
CHANNELS = ("face_to_face", "online", "both")
TIE_COLUMNS = ("network", "source", "target", "date", "tie_type", "topic", "weight", "channel")
PARTICIPANT_COLUMNS = ("participant_id", "name", "network", "organisation", "role", "joined", "left")
INDICATORS = ("1a", "1b", "2a", "2b", "3a", "3b", "3c", "4a", "4b", "4c", "4d")
#: Question-like headers as a Dutch survey export would have them; each starts with its code.
DIMENSION_HEADERS = {
    "1a": "1a Praktijk: speciale gebeurtenissen – geïntegreerd in het werk (0-10)",
    "1b": "1b Praktijk: tijdelijk – blijvend (0-10)",
    "2a": "2a Domein: uitwisselen – verbreden en verdiepen (0-10)",
    "2b": "2b Waarde: individueel – collectief ervaren (0-10)",
    "3a": "3a Verbondenheid: kennissen – gedeelde identiteit (0-10)",
    "3b": "3b Verbondenheid: sterke – zwakke relaties (0-10)",
    "3c": "3c Verbondenheid: taakuitvoerders – kenniswerkers (0-10)",
    "4a": "4a Organisatie: extern gestuurd – zelf georganiseerd (0-10)",
    "4b": "4b Organisatie: lokaal – breder (0-10)",
    "4c": "4c Organisatie: hiërarchisch – gelijkwaardig (0-10)",
    "4d": "4d Organisatie: geen – gedeelde omgangsnormen (0-10)",
}
CYCLE_NL = {
    "immediate": "directe waarde",
    "potential": "potentiële waarde",
    "applied": "toegepaste waarde",
    "realized": "gerealiseerde waarde",
    "transformative": "transformatieve waarde",
    "strategic": "strategische waarde",
    "enabling": "faciliterende waarde",
}
FUNNEL = ("immediate", "potential", "applied", "realized", "transformative")

PABO = "Pabo Hogeschool Noorderpoort"
UNIVERSITY = "Universiteit van Midden-Nederland"
EXPERT_ORGS = {
    HB: "Expertisecentrum Hoogbegaafdheid Utrechtse Heuvelrug",
    REK: "Stichting Rekenkracht",
    "": "Onderwijsadviesbureau Wegwijs",
}

FIXED_NAMES = (
    "Anouk van 't Hof", "Ilse de Vries", "Zoë Çelik", "Émile Lefèvre", "Jürgen Müller", "Özlem Kaya",
    "Noël Bakker", "Mariëlle Jansen",
)  # fmt: skip
FIRST_NAMES = (
    "Anouk", "Sanne", "Lotte", "Emma", "Femke", "Ilse", "Marieke", "Esther", "Linda", "Inge", "Joyce", "Noor",
    "Fleur", "Zoë", "Chloë", "Noël", "Émile", "Jürgen", "Özlem", "Fatma", "Hatice", "Yasmina", "Samira",
    "Naima", "Priya", "Mirjam", "Anneke", "Wilma", "Karin", "Petra", "Monique", "Daphne", "Ingrid", "Renée",
    "Hélène", "Cécile", "Floor", "Roos", "Maud", "Eline", "Iris", "Jasper", "Bram", "Daan", "Thijs", "Ruben",
    "Sven", "Joost", "Maarten", "Pieter", "Wouter", "Bas", "Koen", "Niels", "Stijn", "Erik", "Hans", "Mehmet",
    "Emre", "Youssef", "Mohamed", "Kees", "Gijs", "Sjoerd", "Wietske", "Hanneke", "Geert", "Tjitske",
    "Maaike", "Els", "Jeroen", "René", "André", "Mariëlle", "Loïs", "Thomas", "Lieke", "Saskia", "Annelies",
    "Dewi", "Kübra", "Séverine", "Anaïs", "Jesse",
)  # fmt: skip
LAST_NAMES = (
    "de Vries", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
    "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "van den Berg", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
    "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "van 't Hof", "van 't Zand",
    "'t Hart", "Schouten", "Willems", "Hoekstra", "Koster", "Prins", "Huisman", "Postma", "Kuipers",
    "Verhoeven", "Çelik", "Öztürk", "Kaya", "Aksoy", "El Amrani", "Bouzid", "Müller", "Schäfer", "Lefèvre",
    "Dubois", "Ramdin", "Sewnath", "Kramer", "Boersma", "van Beek", "Timmermans", "Verbeek", "Gerritsen",
    "Wijnen", "Zijlstra", "Nijhuis", "Brinkman", "Claassen", "Goossens", "van Hoof", "Hermans",
    "Groenewegen", "Ploeg", "Löwenthal", "Noël", "Aydemir", "Karaca", "Ramautar", "Tjon-A-Fat",
)  # fmt: skip
SCHOOL_PREFIXES = (
    "OBS", "CBS", "RKBS", "PCBS", "IKC", "Jenaplanschool", "Montessorischool", "Daltonschool", "Basisschool",
    "Vrije School",
)  # fmt: skip
PREFIX_WEIGHTS = (5, 4, 2, 2, 3, 1, 1, 1, 2, 1)
SCHOOL_NAMES = (
    "De Regenboog", "'t Kompas", "De Ster", "Het Baken", "De Wereldwijzer", "De Klimop", "'t Palet",
    "De Fontein", "Het Mozaïek", "De Springplank", "Sint-Jozef", "De Vlieger", "Het Anker", "De Zonnewijzer",
    "'t Schrijvertje", "Prinses Juliana", "De Ark", "De Linde", "De Bongerd", "De Hoeksteen",
    "Het Zevengesternte", "De Eendracht", "De Notenkraker", "'t Hoekje", "Ichthus", "Het Kleurrijk",
    "De Horizon", "De Wegwijzer", "Emmaüs", "Het Octaaf", "De Kleine Prins", "Sint-Barbara", "Het Ravelijn",
    "De Lichtbron", "Dr. Schaepman", "De Perelaar", "Noordermeer", "Het Carillon", "De Sterrenwacht",
    "Het Nest", "De Bréhoeve",
)  # fmt: skip
FIXED_SCHOOLS = ("OBS De Regenboog", "CBS 't Kompas", "Jenaplanschool De Ster", "IKC Het Baken",
                 "RKBS Emmaüs", "Daltonschool Het Mozaïek")  # fmt: skip
TOWNS = ("Amersfoort", "Zeist", "Utrecht", "Houten", "Nieuwegein", "Veenendaal", "Leusden", "Baarn", "Soest",
         "IJsselstein", "Woerden", "Culemborg")  # fmt: skip

WHO = (
    "een collega van {school}", "de lerarenopleider", "een onderzoeker van de universiteit", "een student",
    "onze coach", "collega's uit het netwerk", "een intern begeleider van {school}",
)  # fmt: skip
#: Value stories per cycle as (value indicator, template); slots are filled from the network's story.
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "immediate": (
        (
            "herkenning",
            "Fijne bijeenkomst over {topic}; het was prettig om ervaringen uit te wisselen met {who}.",
        ),
        ("inspiratie", "Ik vond het gesprek met {who} over {topic} heel inspirerend."),
        ("herkenning", "Herkenning: ook op andere scholen zoeken ze naar een goede aanpak voor {topic}."),
        ("plezier in het netwerk", "Gezellige en nuttige middag. Ik ging met nieuwe energie naar huis."),
        ("nieuwe contacten", "Leuk om collega's van andere scholen te spreken over {topic}."),
        (
            "plezier in het netwerk",
            "Het was fijn om even stil te staan bij {topic}, zonder de waan van de dag.",
        ),
    ),
    "potential": (
        ("nieuwe inzichten", "Ik heb nieuwe ideeën opgedaan over {topic} die ik wil uitproberen in {group}."),
        ("bruikbaar materiaal", "Van {who} kreeg ik materiaal over {practice} dat ik later kan gebruiken."),
        ("nieuwe contacten", "Ik weet nu bij wie ik terecht kan met vragen over {topic}."),
        (
            "toegang tot literatuur",
            "Door het artikel dat we lazen begrijp ik de achtergrond van {practice} beter.",
        ),
        ("vertrouwen in eigen kunnen", "Ik voel me zekerder om {topic} met mijn team te bespreken."),
        (
            "bruikbaar materiaal",
            "Een handig overzicht gekregen van {practice}; dat bewaar ik voor volgend jaar.",
        ),
    ),
    "applied": (
        ("andere werkwijze in de klas", "We hebben {practice} ingevoerd in {group}."),
        (
            "afspraken in het team",
            "In ons team hebben we afspraken gemaakt over {topic}: {practice} staat nu in ons plan.",
        ),
        ("aangepaste lespraktijk", "Ik gebruik sinds een paar weken {practice} in mijn klas."),
        ("andere werkwijze in de klas", "Na het schoolbezoek bij {school} hebben we {practice} overgenomen."),
        (
            "nieuw materiaal in gebruik",
            "Samen met {who} heb ik een lessenserie over {topic} gemaakt en gegeven.",
        ),
    ),
    "realized": (
        ("leerlingresultaten", "Het effect in {group} is zichtbaar: {outcome}."),
        ("betrokkenheid van leerlingen", "Na een half jaar {practice}: {outcome}."),
        ("leerlingresultaten", "Resultaat van onze aanpak voor {topic}: {outcome}."),
        ("welbevinden van leerlingen", "Wat we in het netwerk bedachten, werkt: {outcome}."),
    ),
    "transformative": (
        ("ander beeld van leren", "Het netwerk heeft mijn kijk veranderd: {insight}."),
        ("andere kijk op succes", "We zijn anders gaan kijken naar wat succes is. {insight_cap}."),
        (
            "nieuwe leerdoelen voor het netwerk",
            "Bij het terugkijken op ons werk rond {topic} kwamen we tot een nieuw inzicht: {insight}.",
        ),
    ),
    "strategic": (
        ("schoolbeleid", "De schoolleiding heeft {topic} opgenomen in het schoolplan na onze presentatie."),
        (
            "draagvlak bij het bestuur",
            "Het bestuur wil de aanpak voor {topic} ook op andere scholen invoeren.",
        ),
    ),
    "enabling": (
        ("tijd en ruimte", "Door de vrijgeroosterde tijd kon ik de bijeenkomsten over {topic} bijwonen."),
        (
            "faciliteiten",
            "De gedeelde online map maakt het makkelijk om materiaal over {topic} terug te vinden.",
        ),
    ),
}
#: Optional second sentences, only for the early cycles (later cycles speak for themselves).
SECOND_SENTENCES = (
    "Dit ga ik delen in de teamvergadering.", "Volgende keer wil ik dit verder uitwerken.",
    "Ik ben benieuwd hoe het op andere scholen gaat.", "Mijn duocollega doet ook mee.",
    "Het kostte wel tijd, maar het was het waard.",
)  # fmt: skip
EVIDENCE = {
    "immediate": ("", "", "", "evaluatieformulier bijeenkomst"),
    "potential": ("", "", "logboek", "gedeelde map met materiaal", "leesverslag"),
    "applied": ("", "lesobservatie", "notulen teamvergadering", "lesvoorbereiding", "foto's uit de klas"),
    "realized": ("toetsresultaten {group}", "leerlinggesprekken", "groepsoverzicht", "lesobservatie", ""),
    "transformative": ("reflectieverslag", "notulen netwerkbijeenkomst", ""),
    "strategic": ("schoolplan", "notulen MR-vergadering"),
    "enabling": ("", "jaarplanning"),
}  # fmt: skip


@dataclass(frozen=True)
class Story:
    """What a network is about and how it behaves; the story knobs live here, not in the generators."""

    topics: tuple[str, ...]
    practices: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    insights: tuple[str, ...] = ()
    externals: tuple[str, ...] = ()
    coach_org: str = PABO
    expert: bool = False
    #: indicator -> mean per wave (overrides the common base profile)
    profile: dict[str, tuple[float, ...]] = field(default_factory=dict)
    #: indicator -> mean per wave of the desired situation, asked in the last two waves only
    desired: dict[str, float] | None = None
    #: per wave: value-cycle probabilities (immediate, potential, applied, realized, transformative)
    cycles: tuple[tuple[float, ...], ...] = ((0.35, 0.35, 0.2, 0.1, 0.0),) * 6
    reports_per_period: float = 1.5
    #: how many schools send teachers (fewer schools -> more colleagues from one's own school)
    schools: int = 9
    #: per wave: expected named alters per respondent and the same-organisation preference
    out_degree: tuple[float, ...] = (3.2,) * 6
    same_org: tuple[float, ...] = (10.0,) * 6
    student_pull: float = 0.15
    external_rate: tuple[float, ...] = (0.03,) * 6
    #: relative number of teachers and student teachers (1 = a network of about forty people)
    size: float = 1.0
    #: per wave: how much the choice of alters is left to chance (lower = the same people named again)
    churn: tuple[float, ...] = (1.0,) * 6
    #: per wave: how much weaker ties across organisations are (visits and experts: loose, occasional ties)
    weak_pull: tuple[float, ...] = (0.0,) * 6


BASE_PROFILE = {"1a": 5.5, "1b": 5.8, "2a": 5.2, "2b": 5.4, "3a": 5.8, "3b": 4.0, "3c": 5.6, "4a": 5.0,
                "4b": 4.0, "4c": 6.2, "4d": 6.0}  # fmt: skip

STORIES: dict[str, Story] = {
    ZRL: Story(
        topics=(
            "feedback geven",
            "executieve functies",
            "doelen stellen met leerlingen",
            "reflectiegesprekken",
            "plannen en organiseren",
        ),
        practices=(
            "een weektaak met eigen leerdoelen",
            "het stoplicht voor hulpvragen",
            "korte reflectiegesprekken na de instructie",
            "de planningsmuur",
            "feedbackkaartjes met een tip en een top",
        ),
        outcomes=(
            "leerlingen plannen hun weektaak grotendeels zelf",
            "er komen minder hulpvragen tijdens het zelfstandig werken",
            "leerlingen kunnen beter vertellen wat hun leerdoel is",
            "het is rustiger in de klas tijdens het zelfstandig werken",
        ),
        insights=(
            "zelfregulatie moet je leerlingen aanleren, het is geen eigenschap die ze al hebben",
            "succes is niet dat alles af is, maar dat een leerling weet waarom iets niet lukte",
        ),
        externals=("Dr. A. Bakker (lector)", "M. Verbruggen (orthopedagoog)"),
        coach_org=PABO,
        # wave 0 before the lunch, waves 1-4 with it, wave 5 after it stopped
        profile={
            "1b": (4.6, 5.6, 6.4, 6.9, 7.1, 4.8),
            "3a": (4.4, 5.6, 6.6, 7.3, 7.7, 4.9),
            "3b": (3.9, 3.4, 3.0, 2.8, 2.7, 3.8),
            "3c": (4.6, 5.5, 6.3, 6.9, 7.2, 4.9),
        },
        desired={"1b": 7.8, "3a": 8.2, "3b": 2.8, "3c": 7.8, "4d": 7.5},
        cycles=((0.38, 0.34, 0.18, 0.1, 0.0),) * 3 + ((0.28, 0.38, 0.22, 0.1, 0.02),) * 3,
        reports_per_period=1.4,
        out_degree=(2.0, 2.8, 3.4, 3.8, 4.0, 1.8),
        same_org=(30.0, 8.0, 4.0, 2.5, 2.0, 9.0),
        churn=(1.0, 0.8, 0.6, 0.5, 0.5, 1.3),
    ),
    OZL: Story(
        topics=(
            "onderzoeksvraag formuleren",
            "data verzamelen in de klas",
            "onderzoekend leren bij wereldoriëntatie",
            "resultaten delen",
            "literatuur zoeken",
        ),
        practices=(
            "de onderzoekscyclus met groep 8",
            "een vragenmuur in de klas",
            "een logboek voor leerlingonderzoek",
            "een korte leerlingenenquête",
            "een presentatiemiddag voor ouders",
        ),
        outcomes=(
            "leerlingen stellen zelf betere onderzoeksvragen",
            "leerlingen zijn nieuwsgieriger en betrokkener",
            "het hele team gebruikt de uitkomsten van ons praktijkonderzoek",
        ),
        insights=(
            "het gaat om de vragen van leerlingen, niet om het eindproduct",
            "wij leraren zijn zelf ook onderzoekers van onze eigen praktijk",
        ),
        externals=(
            "Prof. dr. H. Öztürk (universiteit)",
            "Dr. A. Bakker (lector)",
            "J. de Ruiter (museumeducator)",
        ),
        coach_org=UNIVERSITY,
        profile={
            "2a": (5.0, 5.2, 5.6, 6.0, 6.3, 6.6),
            "3b": (3.0, 3.3, 4.0, 4.9, 5.6, 6.2),
            "4b": (2.8, 3.1, 4.2, 5.2, 6.0, 6.7),
        },
        desired={"3b": 6.5, "4b": 7.5, "2a": 7.5},
        cycles=(
            (0.36, 0.4, 0.17, 0.07, 0.0),
            (0.34, 0.4, 0.18, 0.08, 0.0),
            (0.32, 0.38, 0.2, 0.09, 0.01),
            (0.3, 0.35, 0.23, 0.1, 0.02),
            (0.27, 0.33, 0.26, 0.11, 0.03),
            (0.25, 0.3, 0.28, 0.12, 0.05),
        ),
        reports_per_period=1.5,
        out_degree=(2.2, 2.4, 3.0, 3.5, 3.8, 4.1),
        same_org=(100.0, 40.0, 10.0, 4.0, 2.0, 1.0),
        schools=6,
        external_rate=(0.02, 0.02, 0.04, 0.05, 0.4, 0.6),  # outside experts invited from 2025-03-26
        weak_pull=(0.0, 0.0, 0.3, 0.5, 0.8, 1.0),
    ),
    HB: Story(
        topics=("verrijkingsstof", "signaleren", "compacten", "plusklas", "gesprekken met ouders"),
        practices=(
            "het compacten van de rekenmethode",
            "een verrijkingskast met uitdagende opdrachten",
            "de signaleringslijst in groep 1-2",
            "een wekelijkse plusklasochtend",
            "mindset-gesprekken met leerlingen",
        ),
        outcomes=(
            "meerbegaafde leerlingen zijn gemotiveerder",
            "ouders voelen zich beter gehoord",
            "de plusklasleerlingen werken zelfstandiger",
        ),
        insights=(
            "hoogbegaafdheid vraagt om uitdaging in de eigen groep, niet alleen in de plusklas",
            "succes is dat een leerling leert doorzetten, niet dat hij hoge cijfers haalt",
        ),
        externals=("Drs. É. Lambrecht (begaafdheidsspecialist)", "S. Wijnberg (ouder en psycholoog)"),
        coach_org="school",
        expert=True,
        profile={"1a": (3.8, 3.9, 3.7, 4.0, 3.9, 3.8), "2b": (3.4, 3.5, 3.3, 3.6, 3.5, 3.4)},
        cycles=((0.47, 0.45, 0.06, 0.02, 0.0),) * 6,
        reports_per_period=2.1,
    ),
    REK: Story(
        topics=(
            "rekendidactiek",
            "automatiseren",
            "verhaalsommen",
            "het handelingsmodel",
            "rekenen met breuken",
        ),
        practices=(
            "dagelijks tien minuten automatiseren",
            "het handelingsmodel bij de instructie",
            "een rekenmuur met strategieën",
            "instructie op drie niveaus",
            "samen verhaalsommen tekenen",
        ),
        outcomes=(
            "de toetsresultaten van groep 6 zijn gestegen",
            "leerlingen kennen de tafels beter",
            "zwakke rekenaars durven meer",
            "leerlingen leggen hun strategie beter uit",
        ),
        insights=(
            "goed rekenonderwijs begint bij het gesprek over strategieën, niet bij het antwoord",
            "we meten succes nu ook aan hoe leerlingen redeneren",
        ),
        externals=("Dr. K. Noordhoek (rekenspecialist)", "Dr. A. Bakker (lector)"),
        coach_org=PABO,
        expert=True,
        profile={
            "1a": (4.5, 5.0, 5.6, 6.2, 6.8, 7.3),
            "2b": (4.8, 5.2, 5.8, 6.4, 7.0, 7.4),
            "4a": (4.0, 4.5, 5.2, 5.8, 6.3, 6.8),
        },
        desired={"1a": 8.0, "2b": 8.2, "4a": 8.0, "4b": 6.5},
        cycles=(
            (0.42, 0.42, 0.12, 0.04, 0.0),
            (0.36, 0.4, 0.17, 0.07, 0.0),
            (0.3, 0.34, 0.24, 0.12, 0.0),
            (0.18, 0.22, 0.32, 0.24, 0.04),
            (0.14, 0.17, 0.33, 0.28, 0.08),
            (0.12, 0.14, 0.3, 0.32, 0.12),
        ),
        reports_per_period=1.7,
        student_pull=1.2,
    ),
}
STORIES[NKO] = Story(
    topics=("taalontwikkeling", "eerste opvang", "woordenschat", "ouders zonder Nederlands"),
    practices=("een woordmuur met pictogrammen", "een maatjessysteem in de klas", "dagelijks voorlezen in kleine groepjes"),
    outcomes=("nieuwkomers durven eerder te praten", "ouders komen vaker op school"),
    insights=("taal leren gebeurt de hele dag, niet alleen in de taalles",),
    externals=("M. Haddou (tolk en cultuurbemiddelaar)",),
    coach_org=PABO,
    profile={
        "2a": (4.0, 4.6, 5.3, 5.9, 6.4, 6.9),
        "3a": (4.6, 5.2, 5.7, 6.3, 6.6, 7.0),
        "4b": (3.0, 3.2, 3.9, 4.4, 5.0, 5.4),
    },
    cycles=((0.4, 0.35, 0.18, 0.07, 0.0),) * 3 + ((0.3, 0.32, 0.26, 0.1, 0.02),) * 3,
    reports_per_period=1.6,
    schools=3,
    size=0.12,
)
GENERIC_TOPICS = ("aanpak in de klas", "samenwerken in het team", "ouders betrekken", "differentiëren",
                  "leerlingen betrekken", "materiaal ontwikkelen")  # fmt: skip


def _story(network: str) -> Story:
    """The story of a network; extra networks (scale > 1) get a plain one with their theme as topic."""
    if network in STORIES:
        return STORIES[network]
    theme = network.split(" (")[0].lower()
    return Story(
        topics=(theme, *GENERIC_TOPICS[:4]),
        practices=(f"een nieuwe aanpak voor {theme}", "een gezamenlijke lessenserie", "een kijkwijzer"),
        outcomes=("leerlingen zijn meer betrokken", "het team werkt meer samen"),
        insights=("we leren het meest van elkaars praktijk",),
        externals=("Dr. A. Bakker (lector)",),
    )


# --------------------------------------------------------------------------------------------- people
@dataclass
class _Person:
    name: str
    organisation: str
    role: str
    pid: str = ""


@dataclass
class _Member:
    person: _Person
    network: str
    joined: date
    left: date | None = None

    def active(self, day: date) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)


def network_names(n: int) -> list[str]:
    """The first n network names: the four story networks, then themes, then numbered themes."""
    pool = list(STORY_NETWORKS) + list(EXTRA_NETWORKS)
    out = pool[:n]
    k = 2
    while len(out) < n:
        out += [f"{name} {k}" for name in EXTRA_NETWORKS][: n - len(out)]
        k += 1
    return out


def school_names(n: int, seed: int = 2026) -> list[str]:
    """n distinct invented primary-school names; a base name repeats (then a town is added) only when needed."""
    r = random.Random(seed * 7 + 1)
    out = list(FIXED_SCHOOLS[: min(n, len(FIXED_SCHOOLS))])
    used = [o.split(" ", 1)[1] for o in out]
    bases = [b for b in SCHOOL_NAMES if b not in used]
    r.shuffle(bases)
    for base in bases[: max(0, n - len(out))]:
        out.append(f"{r.choices(SCHOOL_PREFIXES, weights=PREFIX_WEIGHTS)[0]} {base}")
    rest = [f"{p} {b}" for b in SCHOOL_NAMES for p in SCHOOL_PREFIXES]
    r.shuffle(rest)
    taken = set(out)
    out += [c for c in rest if c not in taken][: max(0, n - len(out))]
    i = 0
    while len(out) < n:
        c, town = rest[i % len(rest)], TOWNS[(i // len(rest)) % len(TOWNS)]
        out.append(f"{c} ({town})" if i < len(rest) * len(TOWNS) else f"{c} ({i})")
        i += 1
    return out


class _Namer:
    """Hands out realistic Dutch names, unique while the combinations last."""

    def __init__(self, r: random.Random) -> None:
        self.r = r
        self.fixed = list(FIXED_NAMES)
        self.used: set[str] = set()

    def __call__(self) -> str:
        if self.fixed:
            name = self.fixed.pop(0)
        else:
            for _ in range(30):
                name = f"{self.r.choice(FIRST_NAMES)} {self.r.choice(LAST_NAMES)}"
                if name not in self.used:
                    break
        self.used.add(name)
        return name


def _shifted(d: date, r: random.Random, days: int = 10) -> date:
    return d + timedelta(days=r.randrange(days))


def _build_members(scale: float, seed: int) -> list[_Member]:
    """Everybody in every network over the three school years, with ids assigned in order of appearance."""
    r = random.Random(seed * 7 + 2)
    namer = _Namer(r)
    f = min(scale, 1.0)
    k = len(STORY_NETWORKS)
    networks = network_names(max(k, round(k * scale)))
    schools = school_names(max(6, round(30 * max(scale, 0.2))), seed)
    # Each network draws teachers from a window of schools; the windows tile the list so every school takes part.
    sizes = [min(len(schools), max(3, round(_story(n).schools * f))) for n in networks]
    starts = [round(sum(sizes[:i]) * len(schools) / sum(sizes)) for i in range(len(networks))]
    members: list[_Member] = []
    first_of_role: dict[tuple[str, str], _Person] = {}
    shared = {(ZRL, "researcher"): (OZL, "researcher"), (HB, "teacher_educator"): (REK, "teacher_educator"),
              (REK, "teacher"): (OZL, "teacher")} if scale >= 0.5 else {}  # fmt: skip
    order = [OZL, REK] + [n for n in networks if n not in (OZL, REK)]  # sources of shared people first
    for net in order:
        story = _story(net)
        i_net = networks.index(net)
        net_schools = [schools[(starts[i_net] + i) % len(schools)] for i in range(sizes[i_net])]

        def person(role: str, org: str, net: str = net) -> _Person:
            src = shared.get((net, role))
            if src and src in first_of_role and not first_of_role.get((net, role)):
                p = first_of_role[src]
            else:
                p = _Person(namer(), org, role)
            first_of_role.setdefault((net, role), p)
            return p

        coach_org = r.choice(net_schools) if story.coach_org == "school" else story.coach_org
        members.append(_Member(person("coach", coach_org), net, YEAR_STARTS[0]))
        for _ in range(max(1, round(2 * f))):
            members.append(_Member(person("teacher_educator", PABO), net, _shifted(YEAR_STARTS[0], r)))
        members.append(_Member(person("researcher", UNIVERSITY), net, _shifted(YEAR_STARTS[0], r, 40)))
        if story.expert or (net not in STORIES and r.random() < 0.3):
            org = EXPERT_ORGS.get(net, EXPERT_ORGS[""])
            members.append(_Member(person("expert", org), net, _shifted(YEAR_STARTS[0], r, 60)))
        n_teachers = max(4, round(26 * f * story.size))
        for i in range(n_teachers):
            m = _Member(
                person("teacher", net_schools[i % len(net_schools)]), net, _shifted(YEAR_STARTS[0], r)
            )
            members.append(m)
        leavers = [m for m in members if m.network == net and m.person.role == "teacher"]
        for m in r.sample(leavers, min(len(leavers) - 2, round(5 * f * story.size))):
            m.left = YEAR_ENDS[r.randrange(2)]
        for y in (1, 2):
            for _ in range(round(3 * f * story.size)):
                org = r.choice(net_schools)
                members.append(_Member(person("teacher", org), net, _shifted(YEAR_STARTS[y], r)))
        for y in range(3):
            for _ in range(max(1, round(5 * f * story.size))):
                org = r.choice(net_schools)  # internship school
                m = _Member(
                    _Person(namer(), org, "student_teacher"), net, _shifted(YEAR_STARTS[y], r), YEAR_ENDS[y]
                )
                members.append(m)
    rank = {n: i for i, n in enumerate(networks)}
    members = [m for _, m in sorted(enumerate(members), key=lambda im: (rank[im[1].network], im[0]))]
    width = max(3, len(str(len({id(m.person) for m in members}))))
    k = 0
    for m in members:  # ids in order of first appearance: network by network, coach first
        if not m.person.pid:
            k += 1
            m.person.pid = f"P{k:0{width}d}"
    return members


# --------------------------------------------------------------------------------------------- tables
def _participant_rows(members: list[_Member]) -> list[tuple[str, ...]]:
    """One row per person and network; a person in two networks has two rows with the same id."""
    return [
        (m.person.pid, m.person.name, m.network, m.person.organisation, m.person.role, m.joined.isoformat(),
         m.left.isoformat() if m.left else "")
        for m in sorted(members, key=lambda m: (m.person.pid, m.joined, m.network))
    ]  # fmt: skip


def _dimension_rows(members: list[_Member], seed: int) -> list[list[str]]:
    """Marks per active respondent and wave: network profile + personal bias + noise; 4c bimodal in HB."""
    rng = np.random.default_rng([seed, 3])
    rows: list[list[str]] = []
    by_net = _by_network(members)
    for w, day in enumerate(WAVE_DATES):
        for net, ms in by_net.items():
            story = _story(net)
            for m in ms:
                if not m.active(day):
                    continue
                bias = _person_bias(m, seed)
                if rng.random() > 0.88:  # did not fill in this wave
                    continue
                means = np.array([story.profile.get(i, (BASE_PROFILE[i],) * 6)[w] for i in INDICATORS])
                if net == HB:
                    camp_low = bias[11] < (0.6 if m.person.role in ("teacher", "student_teacher") else 0.2)
                    means[INDICATORS.index("4c")] = 2.3 if camp_low else 7.9
                scores = means + bias[:11] + rng.normal(0.0, 0.7, 11)
                rows.append(_dutch_row(net, day, m.person.pid, "huidig", scores, rng))
                if story.desired and w >= len(WAVE_DATES) - 2 and rng.random() < 0.8:
                    want = scores.copy()
                    for ind, target in story.desired.items():
                        want[INDICATORS.index(ind)] = target + rng.normal(0.0, 0.8)
                    others = [INDICATORS.index(i) for i in INDICATORS if i not in story.desired]
                    want[others] += rng.normal(0.6, 0.5, len(others))
                    rows.append(_dutch_row(net, day, m.person.pid, "gewenst", want, rng))
    return rows


def _person_bias(m: _Member, seed: int) -> np.ndarray:
    """A persistent personal tilt per indicator (people mark consistently), plus a uniform for camps."""
    g = np.random.default_rng([seed, 4, int(m.person.pid[1:]), sum(map(ord, m.network))])
    return np.concatenate([g.normal(0.0, 0.5) + g.normal(0.0, 0.6, 11), g.random(1)])


def _dutch_row(net: str, day: date, pid: str, situation: str, scores: np.ndarray, rng: np.random.Generator
               ) -> list[str]:  # fmt: skip
    cells = []
    for v in np.clip(scores, 0.0, 10.0):
        u = rng.random()
        cells.append("n.v.t." if u < 0.012 else "" if u < 0.022 else f"{v:.1f}".replace(".", ","))
    return [net, day.strftime("%d-%m-%Y"), pid, situation, *cells]


def _by_network(members: list[_Member]) -> dict[str, list[_Member]]:
    out: dict[str, list[_Member]] = {}
    for m in members:
        out.setdefault(m.network, []).append(m)
    return out


ROLE_PULL = {"teacher": 1.0, "teacher_educator": 1.8, "researcher": 1.3, "coach": 3.0, "expert": 2.2}


def _tie_rows(members: list[_Member], seed: int) -> list[tuple]:
    """Name-generator answers per wave: each respondent names a few people, chosen by a weighted draw.

    Weight of a possible alter = how much people turn to that role x preference for one's own organisation
    x a persistent, mutual pair affinity (so ties last across waves and are often reciprocated).
    """
    rng = np.random.default_rng([seed, 5])
    rows: list[tuple] = []
    for net, ms in _by_network(members).items():
        story = _story(net)
        n = len(ms)
        z = rng.normal(0.0, 1.0, (n, n))
        aff = np.exp(1.4 * (z + z.T) / math.sqrt(2))
        orgs = np.array([m.person.organisation for m in ms], dtype=object)
        same = orgs[:, None] == orgs[None, :]
        pull = np.array([story.student_pull if m.person.role == "student_teacher" else ROLE_PULL[m.person.role]
                         for m in ms])  # fmt: skip
        for w, day in enumerate(WAVE_DATES):
            act = np.array([m.active(day) for m in ms])
            weight = aff * pull[None, :] * np.where(same, story.same_org[w], 1.0)
            weight[:, ~act] = 0.0
            np.fill_diagonal(weight, 0.0)
            gumbel = rng.gumbel(size=(n, n))
            with np.errstate(divide="ignore"):
                keys = np.log(weight) + gumbel * story.churn[w]
            order = np.argsort(-keys, axis=1, kind="stable")
            k = np.clip(rng.poisson(story.out_degree[w], n), 1, 8)
            answered = rng.random(n) < 0.9
            ext_draw = rng.random(n)
            after_lunch = net == ZRL and w >= LUNCH_WAVE
            for i in np.flatnonzero(act & answered):
                src = ms[i].person.pid
                for j in order[i, : k[i]]:
                    if weight[i, j] <= 0:
                        break
                    so = bool(same[i, j])
                    strength = 2.0 + so + 0.9 * math.log(aff[i, j]) + rng.normal(0.0, 0.7)
                    strength -= 1.0 if after_lunch else 0.0  # no lunch: people meet less often
                    strength -= 0.0 if so else story.weak_pull[w]
                    wgt = int(min(5, max(1, round(strength))))
                    rows.append(_tie(net, src, ms[j].person.pid, day, so, wgt, story, rng, after_lunch))
                if story.externals and ext_draw[i] < story.external_rate[w]:
                    target = story.externals[int(rng.integers(len(story.externals)))]
                    rows.append(
                        _tie(net, src, target, day, False, int(rng.integers(1, 3)), story, rng, False)
                    )
    rows.sort(key=lambda t: (t[3], t[0], t[1], t[2]))
    return rows


def _tie(net: str, src: str, tgt: str, day: date, same_org: bool, weight: int, story: Story,
         rng: np.random.Generator, after_lunch: bool) -> tuple:  # fmt: skip
    kind = TIE_TYPES[rng.choice(3, p=(0.35, 0.35, 0.3) if same_org else (0.45, 0.45, 0.1))]
    if same_org and not after_lunch:
        p_channel = (0.7, 0.1, 0.2)
    else:
        p_channel = (0.3, 0.4, 0.3) if after_lunch else (0.4, 0.3, 0.3)
    channel = CHANNELS[rng.choice(3, p=p_channel)]
    topic = story.topics[int(rng.integers(len(story.topics)))]
    return (net, src, tgt, day.isoformat(), kind, topic, weight, channel)


def _value_rows(members: list[_Member], seed: int) -> list[tuple]:
    """Value-creation stories: each active participant reports a few times per half year."""
    r = random.Random(seed * 7 + 6)
    schools = sorted({m.person.organisation for m in members if m.person.role == "teacher"})
    rows: list[tuple] = []
    for p, (start, end) in enumerate(PERIODS):
        for m in members:
            story = _story(m.network)
            lo, hi = max(start, m.joined), min(end, m.left - timedelta(days=1) if m.left else end)
            if lo > hi:
                continue
            rate = story.reports_per_period * (0.7 if m.person.role == "student_teacher" else 1.0)
            if m.network == ZRL and start >= LUNCH_STOP.replace(day=1):
                rate *= 0.75
            n_reports = sum(r.random() < rate / 4 for _ in range(4))
            for _ in range(n_reports):
                u = r.random()
                if u < 0.015:
                    cycle = "strategic"
                elif u < 0.03:
                    cycle = "enabling"
                else:
                    cycle = r.choices(FUNNEL, weights=story.cycles[p])[0]
                day = _weekday_between(lo, hi, r)
                rows.append((m.network, m.person.pid, day, cycle, *_value_text(cycle, story, schools, r)))
    rows.sort(key=lambda t: (t[2], t[0], t[1]))
    return [
        (n, pid, d.strftime("%d-%m-%Y"), CYCLE_NL[c], ind, text, ev) for n, pid, d, c, ind, text, ev in rows
    ]


def _weekday_between(lo: date, hi: date, r: random.Random) -> date:
    for _ in range(10):
        d = lo + timedelta(days=r.randrange((hi - lo).days + 1))
        if d.weekday() < 5:
            return d
    return lo


def _value_text(cycle: str, story: Story, schools: list[str], r: random.Random) -> tuple[str, str, str]:
    """(indicator, description, evidence) from templates, so stories vary but stay plausible."""
    group = r.choice(("groep 1-2", "groep 3", "groep 4", "groep 5", "groep 6", "groep 7", "groep 8"))
    school = r.choice(schools) if schools else "een andere school"
    insight = r.choice(story.insights)
    slots = {
        "topic": r.choice(story.topics), "practice": r.choice(story.practices), "outcome": r.choice(story.outcomes),
        "insight": insight, "insight_cap": insight[:1].upper() + insight[1:], "group": group, "school": school,
        "who": r.choice(WHO).format(school=school),
    }  # fmt: skip
    indicator, template = r.choice(TEMPLATES[cycle])
    text = template.format(**slots)
    text = text[:1].upper() + text[1:]
    if cycle in ("immediate", "potential", "applied") and r.random() < 0.3:
        text += " " + r.choice(SECOND_SENTENCES)
    return indicator, text, r.choice(EVIDENCE[cycle]).format(group=group)


def _event_rows(networks: list[str]) -> list[tuple[str, str, str]]:
    rows = [("", d.isoformat(), "Start nieuw schooljaar") for d in YEAR_STARTS]
    rows += [("", d.isoformat(), "Studiedag academische werkplaats")
             for d in (date(2024, 2, 7), date(2025, 2, 5), date(2026, 2, 4))]  # fmt: skip
    rows += [
        ("", "2025-06-18", "Netwerkconferentie academische werkplaats"),
        (ZRL, LUNCH_START.isoformat(), "Gezamenlijke lunch ingevoerd"),
        (ZRL, LUNCH_STOP.isoformat(), "Gezamenlijke lunch gestopt (bezuiniging)"),
        (OZL, VISITS_START.isoformat(), "Coaches stimuleren schoolbezoeken"),
        (OZL, EXPERTS_START.isoformat(), "Externe experts uitgenodigd"),
        (HB, "2024-04-17", "Inspiratiemiddag verrijkingsstof"),
        (REK, "2024-11-13", "Teamafspraken rekendidactiek op vijf scholen"),
        (REK, "2025-11-19", "Rekenresultaten gedeeld en besproken"),
    ]
    rows = [row for row in rows if not row[0] or row[0] in networks]
    return sorted(rows, key=lambda t: (t[1], t[0]))


# --------------------------------------------------------------------------------------------- writing
def _write_text(path: Path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))


def _csv_text(header: list[str] | tuple[str, ...], rows: list, delimiter: str = ",", eol: str = "\n") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_sample(out_dir: str | Path, scale: float = 1.0, seed: int = 2026) -> dict[str, Path]:
    """Write the five demo files to ``out_dir`` and return ``{kind: path}`` (kinds as the importer names them).

    ``scale=1`` is the committed demo set (four networks, ~200 rows of participants). A larger scale adds
    networks of the same realistic size (a bigger region), a smaller one shrinks the networks. The four story
    networks and their stories are there at every scale.
    """
    if not scale > 0:
        raise ValueError("scale must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    members = _build_members(scale, seed)
    networks = list(_by_network(members))
    paths = {
        "participants": out / "participants.csv",
        "dimension_scores": out / "dimensions_nl.csv",
        "value_reports": out / "value_reports.csv",
        "ties": out / "ties.csv",
        "events": out / "events.csv",
    }
    _write_text(paths["participants"], _csv_text(PARTICIPANT_COLUMNS, _participant_rows(members)), "utf-8")
    # Dutch Excel: cp1252, semicolons, decimal commas, CRLF.
    header = ["Netwerk", "Datum", "Deelnemer", "Situatie", *DIMENSION_HEADERS.values()]
    text = _csv_text(header, _dimension_rows(members, seed), delimiter=";", eol="\r\n")
    _write_text(paths["dimension_scores"], text, "cp1252")
    header = ["netwerk", "deelnemer", "datum", "cyclus", "indicator", "beschrijving", "bewijs"]
    text = _csv_text(header, _value_rows(members, seed), delimiter=";", eol="\r\n")
    _write_text(paths["value_reports"], text, "utf-8-sig")
    _write_text(paths["ties"], _csv_text(TIE_COLUMNS, _tie_rows(members, seed)), "utf-8")
    _write_text(paths["events"], _csv_text(("network", "date", "label"), _event_rows(networks)), "utf-8")
    return paths


# --------------------------------------------------------------------------------------------- benchmarks
@dataclass(frozen=True)
class _BenchPeople:
    network: np.ndarray  # network index per participant (contiguous blocks)
    starts: np.ndarray  # first participant index of each network
    sizes: np.ndarray  # participants per network
    role: np.ndarray  # index into ROLES
    org: np.ndarray  # school index (blocks of 12)
    networks: list[str]


def _bench_people(n_participants: int, seed: int) -> _BenchPeople:
    """Vectorised people for benchmarks: networks of ~250 in contiguous id blocks, schools of ~12."""
    if n_participants < 2:
        raise ValueError("need at least 2 participants")
    rng = np.random.default_rng([seed, 11])
    n = n_participants
    n_networks = max(1, min(n // 2, round(n / 250)))
    idx = np.arange(n)
    network = idx * n_networks // n
    starts = np.searchsorted(network, np.arange(n_networks))
    sizes = np.diff(np.append(starts, n))
    role = rng.choice(len(ROLES), n, p=(0.8, 0.1, 0.05, 0.03, 0.0, 0.02))
    role[starts] = ROLES.index("coach")  # one coach per network, its first member
    return _BenchPeople(network, starts, sizes, role, idx // 12, network_names(n_networks))


def _bench_ids(n: int) -> list[str]:
    width = max(3, len(str(n)))
    return [f"P{i:0{width}d}" for i in range(1, n + 1)]


def write_participants_csv(path: str | Path, n_participants: int, seed: int = 2026) -> Path:
    """Write a large participants file (same columns as the demo) that matches :func:`write_ties_csv`."""
    path = Path(path)
    people = _bench_people(n_participants, seed)
    rng = np.random.default_rng([seed, 12])
    n = n_participants
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    roles = people.role
    org = np.where(roles == ROLES.index("teacher_educator"), -2, people.org)
    org = np.where(roles == ROLES.index("researcher"), -1, org)  # -2 / -1: the two institutions
    schools = school_names(int(people.org[-1]) + 1, seed)
    columns = {
        "participant_id": (_bench_ids(n), np.arange(n)),
        "name": (names, rng.integers(len(names), size=n)),
        "network": (people.networks, people.network),
        "organisation": ([*schools, PABO, UNIVERSITY], np.where(org < 0, len(schools) + 2 + org, org)),
        "role": (list(ROLES), roles),
        "joined": ([d.isoformat() for d in YEAR_STARTS], rng.choice(3, n, p=(0.7, 0.2, 0.1))),
        "left": ([""], np.zeros(n, dtype=np.int64)),
    }
    _write_coded_csv(path, columns)
    return path


def write_ties_csv(path: str | Path, n_participants: int, n_ties: int, seed: int = 2026) -> Path:
    """Write ``n_ties`` random ties among ``n_participants`` fast (vectorised), for benchmarks.

    Same columns as the demo ties file; the ids match :func:`write_participants_csv` with the same arguments.
    Ties stay within a participant's network, are spread over the six waves, have no self-loops and no
    duplicates within a wave; in-degrees are skewed (some people are asked far more often), as in real
    name-generator data. A few targets are outside experts (by name).
    """
    path = Path(path)
    people = _bench_people(n_participants, seed)
    n, starts, sizes = n_participants, people.starts, people.sizes
    capacity = int((sizes * (sizes - 1)).sum()) * len(WAVE_DATES)
    if n_ties > capacity // 2:
        raise ValueError(f"{n_ties} ties is too dense for {n_participants} participants")
    rng = np.random.default_rng([seed, 13])
    # Draw (wave, source, target) as one int64 key, drop duplicate keys, top up until there are enough.
    keys = np.empty(0, dtype=np.int64)
    while keys.size < n_ties:
        m = int((n_ties - keys.size) * 1.15) + 1000
        src = rng.integers(0, n, m)
        net = people.network[src]
        local_src = src - starts[net]
        local_tgt = (rng.random(m) ** 1.6 * sizes[net]).astype(np.int64)  # low local index = popular
        clash = local_tgt == local_src
        local_tgt[clash] = (local_tgt[clash] + 1) % sizes[net][clash]
        wave = rng.integers(0, len(WAVE_DATES), m)
        keys = np.sort(np.concatenate([keys, (wave * n + src) * n + starts[net] + local_tgt]))
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # unique (faster than np.unique here)
    if keys.size > n_ties:
        keys = np.sort(rng.choice(keys, n_ties, replace=False))
    wave, rest = np.divmod(keys, n * n)
    src, tgt = np.divmod(rest, n)
    # Outside experts: at most one per respondent and wave (the first of its group), so still no duplicates.
    first_of_group = np.ones(n_ties, dtype=bool)
    first_of_group[1:] = (keys[1:] // n) != (keys[:-1] // n)
    external = first_of_group & (rng.random(n_ties) < 0.002)
    externals = sorted({e for story in STORIES.values() for e in story.externals})
    ids = _bench_ids(n)
    columns = {
        "network": (people.networks, people.network[src]),
        "source": (ids, src),
        "target": (
            [*ids, *externals],
            np.where(external, n + rng.integers(len(externals), size=n_ties), tgt),
        ),
        "date": ([d.isoformat() for d in WAVE_DATES], wave),
        "tie_type": (list(TIE_TYPES), rng.choice(3, n_ties, p=(0.45, 0.4, 0.15))),
        "topic": (list(GENERIC_TOPICS), rng.integers(len(GENERIC_TOPICS), size=n_ties)),
        "weight": (None, np.minimum(5, 1 + rng.poisson(1.3, n_ties))),
        "channel": (list(CHANNELS), rng.choice(3, n_ties, p=(0.5, 0.25, 0.25))),
    }
    _write_coded_csv(path, columns)
    return path


def _write_coded_csv(path: Path, columns: dict[str, tuple[list[str] | None, np.ndarray]]) -> None:
    """Write columns given as (labels, codes) -- or (None, numbers) -- as a plain UTF-8 CSV.

    pyarrow's CSV writer is about ten times faster than pandas here; pandas is the fallback without it.
    Values must not need quoting (no commas or quotes), which holds for the generated vocabulary.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow comes with streamlit
        frame = pd.DataFrame({
            name: codes if labels is None else np.asarray(labels, dtype=object)[codes]
            for name, (labels, codes) in columns.items()
        })  # fmt: skip
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        return
    arrays = {
        name: pa.array(codes)
        if labels is None
        else pa.DictionaryArray.from_arrays(
            pa.array(codes, type=pa.int32()), pa.array(labels, type=pa.string())
        ).dictionary_decode()
        for name, (labels, codes) in columns.items()
    }
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none", eol="\n")
    pacsv.write_csv(pa.table(arrays), str(path), write_options=options)

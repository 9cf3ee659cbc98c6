"""Static vocabularies of the synthetic world: countries, industries, ACE picklists, project kinds, AWS products.

Kept as plain data in one place so the generators stay about *how* rows vary, not *what* the words are. Picklist
values come from shared/reference/ace (ACE legacy spellings) with their Partner Central Selling API twins, because
real APN databases hold a mix of both and the normalizing layer must cope.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, what the ACE API sends
    name: str  # English name, what legacy ACE records and Odoo show
    locale: str  # Faker locale for people and streets
    currency: str
    suffixes: tuple[str, ...]  # legal-form suffixes, most common first
    tlds: tuple[str, ...]
    weight: float
    postcode: str  # pattern: 9 = digit, A = letter
    phone_code: int
    cities: tuple[tuple[str, ...], ...]  # (local name, optional English/ASCII form)


COUNTRIES: tuple[Country, ...] = (
    Country("US", "United States", "en_US", "USD", ("Inc.", "LLC", "Corp.", "Inc", "Corporation"), (".com", ".io"),
            34, "99999", 1,
            (("New York",), ("San Francisco",), ("Seattle",), ("Austin",), ("Chicago",), ("Boston",), ("Denver",),
             ("Atlanta",), ("Los Angeles",), ("Miami",), ("Dallas",), ("Portland",))),
    Country("GB", "United Kingdom", "en_GB", "GBP", ("Ltd", "Limited", "PLC", "LLP"), (".co.uk", ".com"),
            10, "AA9 9AA", 44,
            (("London",), ("Manchester",), ("Edinburgh",), ("Bristol",), ("Leeds",), ("Cambridge",))),
    Country("DE", "Germany", "de_DE", "EUR", ("GmbH", "AG", "GmbH & Co. KG", "SE"), (".de", ".com"),
            9, "99999", 49,
            (("München", "Munich"), ("Köln", "Cologne"), ("Berlin",), ("Hamburg",), ("Frankfurt am Main", "Frankfurt"),
             ("Stuttgart",), ("Düsseldorf", "Dusseldorf"), ("Nürnberg", "Nuremberg"))),
    Country("FR", "France", "fr_FR", "EUR", ("S.A.", "SAS", "SARL"), (".fr", ".com"),
            6, "99999", 33,
            (("Paris",), ("Lyon",), ("Toulouse",), ("Nantes",), ("Marseille",), ("Orléans", "Orleans"))),
    Country("ES", "Spain", "es_ES", "EUR", ("S.L.", "S.A."), (".es", ".com"),
            4, "99999", 34, (("Madrid",), ("Barcelona",), ("Valencia",), ("Sevilla", "Seville"), ("Málaga", "Malaga"))),
    Country("IT", "Italy", "it_IT", "EUR", ("S.p.A.", "S.r.l."), (".it", ".com"),
            3, "99999", 39, (("Milano", "Milan"), ("Roma", "Rome"), ("Torino", "Turin"), ("Bologna",))),
    Country("NL", "Netherlands", "nl_NL", "EUR", ("B.V.", "N.V."), (".nl", ".com"),
            3, "9999 AA", 31, (("Amsterdam",), ("Rotterdam",), ("Utrecht",), ("Den Haag", "The Hague"))),
    Country("JP", "Japan", "ja_JP", "JPY", ("KK", "Co., Ltd.", "K.K."), (".co.jp", ".jp"),
            4, "999-9999", 81, (("東京", "Tokyo"), ("大阪", "Osaka"), ("名古屋", "Nagoya"), ("福岡", "Fukuoka"))),
    Country("AU", "Australia", "en_AU", "AUD", ("Pty Ltd", "Pty. Ltd.", "Limited"), (".com.au",),
            5, "9999", 61, (("Sydney",), ("Melbourne",), ("Brisbane",), ("Perth",))),
    Country("CA", "Canada", "en_CA", "CAD", ("Inc.", "Ltd.", "Corp."), (".ca", ".com"),
            4, "A9A 9A9", 1, (("Toronto",), ("Vancouver",), ("Montréal", "Montreal"), ("Ottawa",))),
    Country("IN", "India", "en_IN", "INR", ("Pvt. Ltd.", "Private Limited", "Ltd"), (".in", ".co.in", ".com"),
            5, "999999", 91, (("Bengaluru", "Bangalore"), ("Mumbai",), ("Pune",), ("Hyderabad",), ("Chennai",))),
    Country("BR", "Brazil", "pt_BR", "BRL", ("Ltda.", "S.A."), (".com.br",),
            3, "99999-999", 55, (("São Paulo", "Sao Paulo"), ("Rio de Janeiro",), ("Curitiba",))),
    Country("SE", "Sweden", "sv_SE", "SEK", ("AB",), (".se", ".com"),
            2, "999 99", 46, (("Stockholm",), ("Göteborg", "Gothenburg"), ("Malmö", "Malmo"))),
    Country("CH", "Switzerland", "de_CH", "CHF", ("AG", "SA", "GmbH"), (".ch",),
            2, "9999", 41, (("Zürich", "Zurich"), ("Genève", "Geneva"), ("Basel",))),
    Country("SG", "Singapore", "en_US", "SGD", ("Pte. Ltd.", "Pte Ltd"), (".com.sg", ".sg"),
            2, "999999", 65, (("Singapore",),)),
    Country("MX", "Mexico", "es_MX", "MXN", ("S.A. de C.V.", "S. de R.L."), (".com.mx", ".mx"),
            2, "99999", 52, (("Ciudad de México", "Mexico City"), ("Monterrey",), ("Guadalajara",))),
    Country("IE", "Ireland", "en_IE", "EUR", ("Ltd", "DAC", "Limited"), (".ie", ".com"),
            2, "A99 A9A9", 353, (("Dublin",), ("Cork",), ("Galway",))),
)

COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}

# Odoo res_country rows beyond the customer countries, so the table is not suspiciously small.
EXTRA_COUNTRIES = (
    ("AT", "Austria", "EUR"), ("BE", "Belgium", "EUR"), ("DK", "Denmark", "DKK"), ("FI", "Finland", "EUR"),
    ("NO", "Norway", "NOK"), ("PL", "Poland", "PLN"), ("PT", "Portugal", "EUR"), ("NZ", "New Zealand", "NZD"),
    ("ZA", "South Africa", "ZAR"), ("AE", "United Arab Emirates", "AED"),
)

FRENCH_COUNTRY_NAMES = {
    "US": "États-Unis", "GB": "Royaume-Uni", "DE": "Allemagne", "FR": "France", "ES": "Espagne", "IT": "Italie",
    "NL": "Pays-Bas", "JP": "Japon", "AU": "Australie", "CA": "Canada", "IN": "Inde", "BR": "Brésil", "SE": "Suède",
    "CH": "Suisse", "SG": "Singapour", "MX": "Mexique", "IE": "Irlande", "AT": "Autriche", "BE": "Belgique",
    "DK": "Danemark", "FI": "Finlande", "NO": "Norvège", "PL": "Pologne", "PT": "Portugal", "NZ": "Nouvelle-Zélande",
    "ZA": "Afrique du Sud", "AE": "Émirats arabes unis",
}

# res_country_state rows: (country, code, name). ACE's state picklist uses the same English names.
STATES: tuple[tuple[str, str, str], ...] = tuple(
    [("US", code, name) for code, name in (
        ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
        ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
        ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
        ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
        ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
        ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
        ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
        ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
        ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
        ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
        ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"))]
    + [("CA", code, name) for code, name in (
        ("AB", "Alberta"), ("BC", "British Columbia"), ("MB", "Manitoba"), ("NB", "New Brunswick"),
        ("NL", "Newfoundland and Labrador"), ("NS", "Nova Scotia"), ("ON", "Ontario"), ("PE", "Prince Edward Island"),
        ("QC", "Quebec"), ("SK", "Saskatchewan"))]
    + [("AU", code, name) for code, name in (
        ("NSW", "New South Wales"), ("VIC", "Victoria"), ("QLD", "Queensland"), ("WA", "Western Australia"),
        ("SA", "South Australia"), ("TAS", "Tasmania"), ("ACT", "Australian Capital Territory"))]
    + [("IN", code, name) for code, name in (
        ("KA", "Karnataka"), ("MH", "Maharashtra"), ("TG", "Telangana"), ("TN", "Tamil Nadu"), ("DL", "Delhi"))]
    + [("BR", code, name) for code, name in (("SP", "São Paulo"), ("RJ", "Rio de Janeiro"), ("PR", "Paraná"))]
    + [("MX", code, name) for code, name in (("CMX", "Ciudad de México"), ("NLE", "Nuevo León"), ("JAL", "Jalisco"))]
)

# city -> state code, for the countries where Odoo requires a state
CITY_STATES = {
    "New York": "NY", "San Francisco": "CA", "Seattle": "WA", "Austin": "TX", "Chicago": "IL", "Boston": "MA",
    "Denver": "CO", "Atlanta": "GA", "Los Angeles": "CA", "Miami": "FL", "Dallas": "TX", "Portland": "OR",
    "Toronto": "ON", "Vancouver": "BC", "Montréal": "QC", "Ottawa": "ON", "Sydney": "NSW", "Melbourne": "VIC",
    "Brisbane": "QLD", "Perth": "WA", "Bengaluru": "KA", "Mumbai": "MH", "Pune": "MH", "Hyderabad": "TG",
    "Chennai": "TN", "São Paulo": "SP", "Rio de Janeiro": "RJ", "Curitiba": "PR", "Ciudad de México": "CMX",
    "Monterrey": "NLE", "Guadalajara": "JAL",
}

# Approximate units of currency per USD; monthly rates wander around these.
USD_RATES = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 149.0, "AUD": 1.52, "CAD": 1.36, "INR": 83.2, "BRL": 5.0,
    "SEK": 10.6, "CHF": 0.88, "SGD": 1.34, "MXN": 17.2, "DKK": 6.86, "NOK": 10.7, "PLN": 4.0, "NZD": 1.64,
    "ZAR": 18.6, "AED": 3.67,
}
PARTNER_VAT = {"USD": 0.0, "EUR": 0.19, "GBP": 0.2}  # VAT the partner charges, by its invoicing company's currency
CURRENCY_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "$", "CAD": "$", "INR": "₹", "BRL": "R$", "SEK": "kr",
    "CHF": "CHF", "SGD": "S$", "MXN": "$", "DKK": "kr", "NOK": "kr", "PLN": "zł", "NZD": "$", "ZAR": "R",
    "AED": "د.إ",
}
CURRENCY_NAMES = {
    "USD": "US Dollar", "EUR": "Euro", "GBP": "Pound Sterling", "JPY": "Japanese Yen", "AUD": "Australian Dollar",
    "CAD": "Canadian Dollar", "INR": "Indian Rupee", "BRL": "Brazilian Real", "SEK": "Swedish Krona",
    "CHF": "Swiss Franc", "SGD": "Singapore Dollar", "MXN": "Mexican Peso", "DKK": "Danish Krone",
    "NOK": "Norwegian Krone", "PLN": "Polish Zloty", "NZD": "New Zealand Dollar", "ZAR": "South African Rand",
    "AED": "UAE Dirham",
}


@dataclass(frozen=True)
class Industry:
    ace: str  # ACE legacy spelling (the API spelling swaps "&" for "and")
    odoo: str  # Odoo's default res.partner.industry it maps to
    odoo_fr: str
    weight: float


INDUSTRIES: tuple[Industry, ...] = (
    Industry("Software & Internet", "IT/Communication", "IT/Communication", 14),
    Industry("Financial Services", "Finance/Insurance", "Finance/Assurance", 10),
    Industry("Healthcare", "Health/Social", "Santé/Social", 7),
    Industry("Manufacturing", "Manufacturing", "Fabrication", 9),
    Industry("Retail", "Wholesale/Retail", "Commerce de gros/détail", 7),
    Industry("Transportation & Logistics", "Transportation/Logistics", "Transport/Logistique", 5),
    Industry("Energy - Power & Utilities", "Energy supply", "Fourniture d'énergie", 3),
    Industry("Energy - Oil & Gas", "Energy supply", "Fourniture d'énergie", 2),
    Industry("Real Estate & Construction", "Construction", "Construction", 3),
    Industry("Education", "Education", "Enseignement", 4),
    Industry("Government", "Public Administration", "Administration publique", 3),
    Industry("Media & Entertainment", "Entertainment", "Divertissement", 4),
    Industry("Hospitality", "Food/Hospitality", "Alimentation/Hôtellerie", 2),
    Industry("Professional Services", "Administrative", "Administratif", 6),
    Industry("Agriculture", "Agriculture", "Agriculture", 1),
    Industry("Mining", "Mining", "Exploitation minière", 1),
    Industry("Telecommunications", "IT/Communication", "IT/Communication", 3),
    Industry("Life Sciences", "Scientific", "Scientifique", 3),
    Industry("Consumer Goods", "Wholesale/Retail", "Commerce de gros/détail", 3),
    Industry("Non-Profit Organization", "Other Services", "Autres services", 1),
    Industry("Gaming", "Entertainment", "Divertissement", 2),
    Industry("Automotive", "Manufacturing", "Fabrication", 2),
    Industry("Travel", "Food/Hospitality", "Alimentation/Hôtellerie", 1),
    Industry("Marketing & Advertising", "Administrative", "Administratif", 2),
    Industry("Computers & Electronics", "Manufacturing", "Fabrication", 2),
    Industry("Wholesale & Distribution", "Wholesale/Retail", "Commerce de gros/détail", 2),
    Industry("Aerospace", "Manufacturing", "Fabrication", 1),
    Industry("Other", "Other Services", "Autres services", 1),
)

ODOO_INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    # (name en, name fr, full_name en); Odoo's default NACE-based list
    ("Agriculture", "Agriculture", "A - AGRICULTURE, FORESTRY AND FISHING"),
    ("Mining", "Exploitation minière", "B - MINING AND QUARRYING"),
    ("Manufacturing", "Fabrication", "C - MANUFACTURING"),
    ("Energy supply", "Fourniture d'énergie", "D - ELECTRICITY, GAS, STEAM AND AIR CONDITIONING SUPPLY"),
    ("Water supply", "Approvisionnement en eau", "E - WATER SUPPLY; SEWERAGE, WASTE MANAGEMENT"),
    ("Construction", "Construction", "F - CONSTRUCTION"),
    ("Wholesale/Retail", "Commerce de gros/détail", "G - WHOLESALE AND RETAIL TRADE"),
    ("Transportation/Logistics", "Transport/Logistique", "H - TRANSPORTATION AND STORAGE"),
    ("Food/Hospitality", "Alimentation/Hôtellerie", "I - ACCOMMODATION AND FOOD SERVICE ACTIVITIES"),
    ("IT/Communication", "IT/Communication", "J - INFORMATION AND COMMUNICATION"),
    ("Finance/Insurance", "Finance/Assurance", "K - FINANCIAL AND INSURANCE ACTIVITIES"),
    ("Real Estate", "Immobilier", "L - REAL ESTATE ACTIVITIES"),
    ("Scientific", "Scientifique", "M - PROFESSIONAL, SCIENTIFIC AND TECHNICAL ACTIVITIES"),
    ("Administrative", "Administratif", "N - ADMINISTRATIVE AND SUPPORT SERVICE ACTIVITIES"),
    ("Public Administration", "Administration publique", "O - PUBLIC ADMINISTRATION AND DEFENCE"),
    ("Education", "Enseignement", "P - EDUCATION"),
    ("Health/Social", "Santé/Social", "Q - HUMAN HEALTH AND SOCIAL WORK ACTIVITIES"),
    ("Entertainment", "Divertissement", "R - ARTS, ENTERTAINMENT AND RECREATION"),
    ("Other Services", "Autres services", "S - OTHER SERVICE ACTIVITIES"),
)


def ace_api_spelling(value: str) -> str:
    """The Partner Central Selling API spells ACE's legacy '&' as 'and'."""
    return value.replace(" & ", " and ")


# -- ACE picklists (legacy spelling, API spelling) ----------------------------------------------------------------
ACE_STAGES = ("Prospect", "Qualified", "Technical Validation", "Business Validation", "Committed", "Launched",
              "Closed Lost")
ACE_REVIEW_STATUS = {  # legacy -> API
    "Draft": "Pending Submission", "Submitted": "Submitted", "In review": "In review", "Approved": "Approved",
    "Rejected": "Rejected", "Action Required": "Action Required",
}
ACE_CLOSED_LOST_REASONS = (
    "Customer Deficiency", "Delay / Cancellation of Project", "Legal / Tax / Regulatory",
    "Lost to Competitor – Google", "Lost to Competitor – Microsoft", "Lost to Competitor – Other", "No Opportunity",
    "On Premises Deployment", "Partner Gap", "Price", "Security / Compliance", "Technical Limitations",
    "Customer Experience", "Financial/Commercial",
)
ACE_REJECTION_REASONS = ("Customer problem unclear", "Next steps unclear", "Unable to support",
                         "Duplicate of Partner Referral", "Other")
ACE_DELIVERY_MODELS = ("SaaS or PaaS", "BYOL or AMI", "Managed Services", "Professional Services", "Resell", "Other")
ACE_OPPORTUNITY_TYPES = ("Net New Business", "Expansion", "Flat Renewal")
ACE_SALES_ACTIVITIES = ("Initialized discussions with customer", "Customer has shown interest in solution",
                        "Conducted POC / Demo", "In evaluation / planning stage",
                        "Agreed on solution to Business Problem", "Completed Action Plan",
                        "Finalized Deployment Need", "SOW Signed")
ACE_PRIMARY_NEEDS = ("Co-Sell - Architectural Validation", "Co-Sell - Business Presentation",
                     "Co-Sell - Competitive Information", "Co-Sell - Pricing Assistance",
                     "Co-Sell - Technical Consultation", "Co-Sell - Total Cost of Ownership Evaluation",
                     "Co-Sell - Deal Support", "Do Not Need Support from AWS Sales Rep")
ACE_COMPETITORS = ("On-Prem", "Microsoft Azure", "Google Cloud Platform", "Oracle Cloud", "Co-location",
                   "No Competition", "*Other")
ACE_CAMPAIGNS = ("Migration Acceleration Program", "Well-Architected", "APN Immersion Days", "ISV Workload Migration",
                 "Partner Opportunity Acceleration Funded", "Windows", "VMware Cloud on AWS")
ACE_MARKETING_CHANNELS = ("AWS Marketing Central", "Content Syndication", "Email", "Live Event", "Search", "Social",
                          "Virtual Event")


@dataclass(frozen=True)
class ProjectKind:
    """A family of deals: ACE use case, what it is about, and the ways people title it."""

    key: str
    use_case: str
    workloads: tuple[str, ...]
    titles: tuple[str, ...]  # {w} = workload, {W} = capitalised workload
    needs: tuple[str, ...]  # sentences of the customer's business need
    products: tuple[str, ...]  # AWS product codes it drives
    weight: float


PROJECT_KINDS: tuple[ProjectKind, ...] = (
    ProjectKind(
        "migration", "Migration / Database Migration",
        ("SAP ECC", "Oracle databases", "on-premise data center", "VMware estate", "Windows servers",
         "SQL Server databases", "file servers", "legacy ERP", "e-commerce platform", "mainframe batch jobs"),
        ("Migration of {w} to AWS", "{W} migration to AWS", "Migrate {w} to AWS", "AWS migration - {w}",
         "{W} cloud migration", "Lift and shift of {w}", "{W} to AWS", "Move {w} to the cloud"),
        ("{company} runs its {w} in an ageing data center whose lease ends next year.",
         "The customer wants to move {n} servers hosting {w} to AWS with minimal downtime.",
         "Hardware refresh costs and licence renewals make staying on premises too expensive.",
         "Target: migrate {w} in waves, starting with non-production environments.",
         "A Migration Readiness Assessment identified {n} workloads in scope."),
        ("AmazonEC2", "AmazonRDS", "AmazonS3", "AWSDataTransfer", "AWSBackup"), 30),
    ProjectKind(
        "data", "Big Data: Data Warehouse / Data Integration / ETL / Data Lake / BI",
        ("data lake", "data warehouse", "BI platform", "ETL pipelines", "customer 360 analytics",
         "reporting platform"),
        ("{W} on AWS", "Build a {w} on AWS", "Modern {w}", "{W} modernization", "{W} implementation",
         "New {w} (AWS)", "Cloud {w}"),
        ("{company} needs a single {w} to replace spreadsheets and siloed reports.",
         "Data from {n} source systems must be consolidated and refreshed daily.",
         "Business users want self-service dashboards on trusted data.",
         "Current on-premise warehouse cannot scale for month-end loads."),
        ("AmazonRedshift", "AWSGlue", "AmazonS3", "AmazonAthena", "AmazonQuickSight"), 14),
    ProjectKind(
        "ml", "AI Machine Learning and Analytics",
        ("demand forecasting", "document processing", "GenAI assistant", "fraud detection", "recommendation engine",
         "computer vision quality control", "customer churn prediction"),
        ("{W} with Amazon SageMaker", "{W} PoC", "GenAI - {w}", "{W} using Amazon Bedrock", "{W} on AWS",
         "AI {w} pilot", "{W} (ML)"),
        ("{company} wants to apply machine learning to {w}.",
         "A proof of concept on {n} months of historical data should prove the business case.",
         "The customer expects to reduce manual effort by {pct}%.",
         "Generative AI is on the board's agenda and this is the first production use case."),
        ("AmazonSageMaker", "AmazonBedrock", "AmazonS3", "AWSLambda", "AmazonTextract"), 12),
    ProjectKind(
        "containers", "Containers & Serverless",
        ("Kubernetes platform", "microservices platform", "serverless APIs", "CI/CD pipeline", "container platform"),
        ("{W} on Amazon EKS", "{W} on AWS", "New {w}", "{W} modernisation", "Containerisation - {w}",
         "{W} build-out"),
        ("{company} is breaking its monolith into services and needs a {w}.",
         "Developers wait days for environments; the goal is self-service deployments.",
         "The platform must support {n} development teams.",
         "Existing Docker workloads run on self-managed VMs."),
        ("AmazonEKS", "AmazonECS", "AmazonEC2", "AWSLambda", "AmazonECR", "AWSELB"), 10),
    ProjectKind(
        "sap", "SAP",
        ("SAP S/4HANA", "SAP BW", "SAP landscape", "SAP HANA"),
        ("{W} on AWS", "RISE with {w}", "{W} migration", "{W} hosting on AWS", "Move {w} to AWS"),
        ("{company} must move to {w} before ECC end of maintenance.",
         "The landscape has {n} SAP systems across DEV, QA and PRD.",
         "High availability across two Availability Zones is required."),
        ("AmazonEC2", "AmazonEFS", "AmazonS3", "AWSBackup"), 5),
    ProjectKind(
        "security", "Security & Compliance",
        ("landing zone", "security baseline", "SOC 2 readiness", "IAM governance", "multi-account setup"),
        ("AWS {w}", "{W} implementation", "Control Tower {w}", "{W} project", "Secure {w}", "{W} on AWS"),
        ("{company} has {n} AWS accounts created ad hoc without guardrails.",
         "An audit found gaps in logging and identity management.",
         "The customer needs a {w} aligned with CIS benchmarks.",
         "Regulators require evidence of encryption and access reviews."),
        ("AWSConfig", "AmazonGuardDuty", "AWSSecurityHub", "AWSCloudTrail", "awskms"), 8),
    ProjectKind(
        "backup", "Storage & Backup",
        ("backup and disaster recovery", "disaster recovery", "archive storage", "tape replacement"),
        ("{W} on AWS", "AWS {w}", "{W} solution", "{W} with AWS Backup", "Cloud {w}"),
        ("{company} replicates {n} TB to a secondary site it wants to close.",
         "Recovery time objective is four hours; today it is two days.",
         "Tape libraries are end of life."),
        ("AWSBackup", "AmazonS3", "AmazonS3GlacierDeepArchive", "AmazonEC2"), 6),
    ProjectKind(
        "euc", "Edge Computing / End User Computing",
        ("virtual desktops", "WorkSpaces rollout", "remote workforce desktops"),
        ("{W} on AWS", "Amazon {w}", "{W} for {n} users", "{W} project"),
        ("{company} needs secure desktops for {n} remote employees.",
         "The current VDI farm is at capacity and out of support."),
        ("AmazonWorkSpaces", "AmazonAppStream", "AmazonFSx"), 3),
    ProjectKind(
        "contact", "Business Applications & Contact Center",
        ("contact center", "customer service platform", "IVR modernization"),
        ("Amazon Connect {w}", "{W} on Amazon Connect", "New {w}", "{W} migration to AWS", "Cloud {w}"),
        ("{company} runs {n} agents on a legacy telephony platform.",
         "The customer wants omnichannel routing and call analytics."),
        ("AmazonConnect", "AmazonLex", "AWSLambda", "AmazonTranscribe"), 4),
    ProjectKind(
        "managed", "Cloud Management Tools",
        ("managed services", "cost optimization", "FinOps program", "24x7 operations", "Well-Architected review"),
        ("AWS {w}", "{W} for AWS", "{W} contract", "{W} - AWS environment", "{W}"),
        ("{company} lacks in-house staff to operate its AWS environment.",
         "Monthly AWS spend grew {pct}% last year without visibility.",
         "The customer asks for a {w} with monthly reporting."),
        ("AmazonCloudWatch", "AWSSupportBusiness", "AmazonEC2", "AmazonS3"), 6),
    ProjectKind(
        "iot", "IOT",
        ("connected factory", "fleet telemetry", "smart metering", "predictive maintenance"),
        ("{W} on AWS IoT", "{W} platform", "{W} pilot", "AWS IoT - {w}"),
        ("{company} wants real-time data from {n} machines.",
         "Unplanned downtime costs the customer heavily every year."),
        ("AWSIoT", "AmazonKinesis", "AmazonTimestream", "AWSLambda"), 3),
    ProjectKind(
        "web", "Web development & DevOps",
        ("website hosting", "e-commerce platform", "headless CMS", "mobile backend"),
        ("{W} on AWS", "New {w}", "{W} project", "{W} - AWS", "Replatform {w}"),
        ("{company} expects {n}x traffic peaks during campaigns.",
         "The current hosting provider cannot scale and suffers outages."),
        ("AmazonCloudFront", "AmazonEC2", "AmazonS3", "AWSELB", "AmazonRoute53"), 6),
)

# Deals Odoo holds that never go to ACE: plain services/licensing sales.
NON_AWS_TITLES = (
    "Microsoft 365 licence renewal", "On-site IT support contract", "Office network refresh",
    "Training: Agile for managers", "Firewall maintenance renewal", "Jira consulting days",
    "Laptop rollout support", "ERP user training", "Penetration test", "Website redesign",
)

FOLLOW_ON_SUFFIXES = (" - Phase {n}", " Phase {roman}", " (expansion)", " - renewal", " {n}.0", " - wave {n}",
                      " extension", " phase {n}")


@dataclass(frozen=True)
class AwsProduct:
    code: str  # AWS product code as in the cost and usage report
    name: str
    usage_type: str
    unit_price: float  # USD per usage unit, to derive a plausible quantity
    weight: float  # how common on an account
    scale: float  # typical monthly USD for a mid-size account


AWS_PRODUCTS: tuple[AwsProduct, ...] = (
    AwsProduct("AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:m5.large", 0.096, 40, 2500),
    AwsProduct("AmazonS3", "Amazon Simple Storage Service", "TimedStorage-ByteHrs", 0.023, 38, 400),
    AwsProduct("AmazonRDS", "Amazon Relational Database Service", "InstanceUsage:db.r5.large", 0.25, 22, 1500),
    AwsProduct("AWSDataTransfer", "AWS Data Transfer", "DataTransfer-Out-Bytes", 0.09, 25, 300),
    AwsProduct("AmazonCloudWatch", "AmazonCloudWatch", "CW:MetricMonitorUsage", 0.3, 25, 120),
    AwsProduct("AWSLambda", "AWS Lambda", "Lambda-GB-Second", 0.0000166667, 18, 150),
    AwsProduct("AmazonVPC", "Amazon Virtual Private Cloud", "NatGateway-Hours", 0.045, 20, 200),
    AwsProduct("AWSELB", "Elastic Load Balancing", "LoadBalancerUsage", 0.0225, 15, 180),
    AwsProduct("AmazonCloudFront", "Amazon CloudFront", "DataTransfer-Out-Bytes", 0.085, 10, 250),
    AwsProduct("AmazonDynamoDB", "Amazon DynamoDB", "WriteRequestUnits", 0.00000125, 9, 300),
    AwsProduct("AmazonEKS", "Amazon Elastic Kubernetes Service", "AmazonEKS-Hours:perCluster", 0.1, 7, 220),
    AwsProduct("AmazonECS", "Amazon Elastic Container Service", "Fargate-vCPU-Hours:perCPU", 0.04048, 6, 600),
    AwsProduct("AmazonECR", "Amazon EC2 Container Registry (ECR)", "TimedStorage-ByteHrs", 0.1, 6, 40),
    AwsProduct("AmazonEFS", "Amazon Elastic File System", "TimedStorage-ByteHrs", 0.3, 6, 300),
    AwsProduct("AmazonRedshift", "Amazon Redshift", "Node:ra3.xlplus", 1.086, 4, 2200),
    AwsProduct("AWSGlue", "AWS Glue", "ETL-DPU-Hour", 0.44, 5, 350),
    AwsProduct("AmazonAthena", "Amazon Athena", "DataScannedInTB", 5.0, 5, 90),
    AwsProduct("AmazonQuickSight", "Amazon QuickSight", "QS-User-Enterprise-Month", 18.0, 3, 250),
    AwsProduct("AmazonSageMaker", "Amazon SageMaker", "ml.m5.xlarge-Training", 0.23, 4, 900),
    AwsProduct("AmazonBedrock", "Amazon Bedrock", "InputTokenCount", 0.000003, 3, 600),
    AwsProduct("AmazonTextract", "Amazon Textract", "PagesforTables", 0.015, 2, 200),
    AwsProduct("AWSBackup", "AWS Backup", "WarmStorage-ByteHrs-EBS", 0.05, 9, 180),
    AwsProduct("AmazonS3GlacierDeepArchive", "Amazon S3 Glacier Deep Archive", "TimedStorage-GDA-ByteHrs",
               0.00099, 3, 60),
    AwsProduct("AWSConfig", "AWS Config", "ConfigurationItemRecorded", 0.003, 9, 60),
    AwsProduct("AmazonGuardDuty", "Amazon GuardDuty", "PaidEventsAnalyzed", 0.000001, 9, 90),
    AwsProduct("AWSSecurityHub", "AWS Security Hub", "PaidComplianceCheck", 0.001, 6, 50),
    AwsProduct("AWSCloudTrail", "AWS CloudTrail", "PaidEventsRecorded", 0.00001, 8, 30),
    AwsProduct("awskms", "AWS Key Management Service", "KMS-Keys", 1.0, 10, 25),
    AwsProduct("AmazonRoute53", "Amazon Route 53", "HostedZone", 0.5, 12, 20),
    AwsProduct("AWSSupportBusiness", "AWS Support (Business)", "Dollar", 1.0, 8, 400),
    AwsProduct("AmazonWorkSpaces", "Amazon WorkSpaces", "AutoStop-Standard-Usage", 0.3, 2, 1200),
    AwsProduct("AmazonAppStream", "Amazon AppStream", "stream.standard.medium", 0.1, 1, 500),
    AwsProduct("AmazonFSx", "Amazon FSx", "Windows-Storage", 0.13, 2, 400),
    AwsProduct("AmazonConnect", "Amazon Connect", "end-customer-mins", 0.018, 2, 900),
    AwsProduct("AmazonLex", "Amazon Lex", "Speech-Requests", 0.004, 1, 120),
    AwsProduct("AmazonTranscribe", "Amazon Transcribe", "TranscribeAudio", 0.024, 1, 150),
    AwsProduct("AWSIoT", "AWS IoT", "Messaging", 0.000001, 2, 200),
    AwsProduct("AmazonKinesis", "Amazon Kinesis", "Storage-ShardHour", 0.015, 3, 250),
    AwsProduct("AmazonTimestream", "Amazon Timestream", "Writes", 0.0000005, 1, 150),
    AwsProduct("AmazonElastiCache", "Amazon ElastiCache", "NodeUsage:cache.r6g.large", 0.206, 5, 450),
    AwsProduct("AmazonES", "Amazon OpenSearch Service", "ESInstance:r6g.large", 0.167, 4, 500),
    AwsProduct("AWSSecretsManager", "AWS Secrets Manager", "AWSSecretsManager-Secrets", 0.4, 6, 15),
    AwsProduct("AmazonSNS", "Amazon Simple Notification Service", "Requests-Tier1", 0.0000005, 8, 10),
    AwsProduct("AWSQueueService", "Amazon Simple Queue Service", "Requests-Tier1", 0.0000004, 8, 15),
)

# Odoo service products the partner sells next to AWS resale.
SERVICE_PRODUCTS: tuple[tuple[str, str, str, float], ...] = (
    # (default_code, name en, name fr, list price)
    ("AWS-RESALE", "AWS consumption (resale)", "Consommation AWS (revente)", 0.0),
    ("SRV-MIG", "Cloud migration services (T&M)", "Services de migration cloud (régie)", 1250.0),
    ("SRV-MSP", "Managed services - monthly fee", "Services managés - forfait mensuel", 2500.0),
    ("SRV-WAR", "Well-Architected review", "Revue Well-Architected", 4800.0),
    ("SRV-LZ", "Landing zone setup", "Mise en place landing zone", 15000.0),
    ("SRV-DATA", "Data & analytics consulting day", "Journée de conseil data & analytics", 1400.0),
    ("SRV-ML", "Machine learning consulting day", "Journée de conseil machine learning", 1600.0),
    ("SRV-TRAIN", "AWS training day", "Journée de formation AWS", 2200.0),
    ("LIC-M365", "Microsoft 365 E3 licence (annual)", "Licence Microsoft 365 E3 (annuelle)", 396.0),
    ("SRV-SUP", "IT support contract (annual)", "Contrat de support informatique (annuel)", 9000.0),
)

# Words for company names. Kept ASCII-light on purpose except where the language needs accents.
EN_ADJECTIVES = ("Blue", "Northern", "Silver", "Summit", "Red", "Granite", "Pacific", "Atlantic", "Bright",
                 "Clear", "Golden", "Evergreen", "Iron", "Rapid", "Prime", "True", "Open", "Swift", "Harbor",
                 "Cedar", "Maple", "Oak", "Pioneer", "Liberty", "Crescent", "Vertex", "Quantum", "Apex", "Nova",
                 "Polar", "Coastal", "Highland", "Metro", "United", "Global", "First", "Crown", "Falcon", "Eagle")
EN_NOUNS = ("Ridge", "River", "Stone", "Bridge", "Point", "Field", "Harbor", "Peak", "Wave", "Leaf", "Forge",
            "Path", "Gate", "Light", "Lake", "Rock", "Star", "Bay", "Wood", "Hill", "Crest", "Vale", "Works",
            "Line", "Port", "Sky", "Cloud", "Spring", "Creek", "Mesa")
EN_SECTORS = ("Logistics", "Analytics", "Health", "Foods", "Systems", "Capital", "Insurance", "Energy", "Media",
              "Retail", "Pharmaceuticals", "Technologies", "Software", "Manufacturing", "Motors", "Labs",
              "Financial", "Networks", "Solutions", "Group", "Partners", "Industries", "Holdings", "Digital",
              "Data", "Robotics", "Education", "Travel", "Games", "Telecom", "Services", "International",
              "Consulting", "Biotech", "Construction", "Properties", "Brands", "Outfitters", "Airlines", "Markets")
BLEND_HEADS = ("Data", "Cloud", "Byte", "Info", "Medi", "Fin", "Agri", "Geo", "Nexa", "Tele", "Opti", "Sol", "Zen",
               "Lumi", "Veri", "Omni", "Astra", "Terra", "Aqua", "Flexi")
BLEND_TAILS = ("vine", "wise", "core", "scape", "sphere", "logic", "mind", "flow", "nest", "stream", "point",
               "grid", "link", "hub", "ify", "ly", "tek", "works", "ware", "nova")
DE_SECTORS = ("Maschinenbau", "Logistik", "Versicherungen", "Medizintechnik", "Bau", "Elektrotechnik",
              "Lebensmittel", "Software", "Handel", "Stahlbau", "Druckerei", "Automobiltechnik", "Energie",
              "Immobilien", "Brauerei", "Spedition", "Optik", "Möbelwerke")
FR_SECTORS = ("Énergie", "Transports", "Assurances", "Distribution", "Bâtiment", "Informatique", "Santé",
              "Cosmétiques", "Agroalimentaire", "Électronique", "Conseil", "Télécom", "Logistique")
ES_SECTORS = ("Logística", "Construcciones", "Energía", "Alimentación", "Tecnología", "Seguros", "Transportes",
              "Farmacéutica", "Distribución")
IT_SECTORS = ("Costruzioni", "Logistica", "Energia", "Alimentari", "Tecnologie", "Assicurazioni", "Meccanica",
              "Moda")
NL_SECTORS = ("Logistiek", "Bouw", "Techniek", "Verzekeringen", "Installaties", "Handel", "Zorg")
PT_SECTORS = ("Logística", "Construtora", "Energia", "Alimentos", "Tecnologia", "Seguros", "Transportes")
SV_SECTORS = ("Bygg", "Teknik", "Logistik", "Energi", "Försäkring", "Mekaniska Verkstad", "Data")
JP_CATEGORIES = (  # (kanji/kana, romaji, English)
    ("物産", "Bussan", "Trading"), ("製作所", "Seisakusho", "Works"), ("テクノロジー", "Technology", "Technology"),
    ("システムズ", "Systems", "Systems"), ("商事", "Shoji", "Trading"), ("電機", "Denki", "Electric"),
    ("化学", "Kagaku", "Chemical"), ("運輸", "Unyu", "Logistics"), ("建設", "Kensetsu", "Construction"),
    ("食品", "Shokuhin", "Foods"), ("工業", "Kogyo", "Industries"), ("ソフト", "Soft", "Software"),
)

# Sector words in company names -> the ACE industry such a company most likely has.
_T, _F, _S, _M = "Transportation & Logistics", "Financial Services", "Software & Internet", "Manufacturing"
_E, _R, _L, _C = "Energy - Power & Utilities", "Real Estate & Construction", "Life Sciences", "Consumer Goods"
SECTOR_INDUSTRY = {
    "Logistics": _T, "Health": "Healthcare", "Foods": _C, "Capital": _F, "Insurance": _F, "Energy": _E,
    "Media": "Media & Entertainment", "Retail": "Retail", "Pharmaceuticals": _L, "Technologies": _S, "Software": _S,
    "Manufacturing": _M, "Motors": "Automotive", "Labs": _L, "Financial": _F, "Networks": "Telecommunications",
    "Digital": _S, "Data": _S, "Analytics": _S, "Robotics": _M, "Education": "Education", "Travel": "Travel",
    "Games": "Gaming", "Telecom": "Telecommunications", "Consulting": "Professional Services", "Biotech": _L,
    "Construction": _R, "Properties": _R, "Brands": _C, "Outfitters": "Retail", "Airlines": "Travel",
    "Markets": "Retail", "Maschinenbau": _M, "Logistik": _T, "Versicherungen": _F, "Medizintechnik": "Healthcare",
    "Bau": _R, "Elektrotechnik": "Computers & Electronics", "Lebensmittel": _C, "Handel": "Wholesale & Distribution",
    "Stahlbau": _M, "Druckerei": _M, "Automobiltechnik": "Automotive", "Energie": _E, "Immobilien": _R,
    "Brauerei": _C, "Spedition": _T, "Optik": "Healthcare", "Möbelwerke": _M, "Énergie": _E, "Transports": _T,
    "Assurances": _F, "Distribution": "Wholesale & Distribution", "Bâtiment": _R, "Informatique": _S,
    "Santé": "Healthcare", "Cosmétiques": _C, "Agroalimentaire": _C, "Électronique": "Computers & Electronics",
    "Conseil": "Professional Services", "Logistique": _T, "Logística": _T, "Construcciones": _R, "Energía": _E,
    "Alimentación": _C, "Tecnología": _S, "Seguros": _F, "Transportes": _T, "Farmacéutica": _L, "Distribución": _C,
    "Costruzioni": _R, "Logistica": _T, "Energia": _E, "Alimentari": _C, "Tecnologie": _S, "Assicurazioni": _F,
    "Meccanica": _M, "Moda": "Retail", "Logistiek": _T, "Bouw": _R, "Techniek": _M, "Verzekeringen": _F,
    "Installaties": _R, "Zorg": "Healthcare", "Construtora": _R, "Alimentos": _C, "Tecnologia": _S, "Bygg": _R,
    "Teknik": _M, "Energi": _E, "Försäkring": _F, "Bussan": "Wholesale & Distribution", "Seisakusho": _M,
    "Technology": _S, "Systems": _S, "Shoji": "Wholesale & Distribution", "Denki": "Computers & Electronics",
    "Kagaku": _M, "Unyu": _T, "Kensetsu": _R, "Shokuhin": _C, "Kogyo": _M, "Soft": _S,
    "Trading": "Wholesale & Distribution",
    "Electric": "Computers & Electronics", "Chemical": _M, "Industries": _M,
}

ABBREVIATIONS = {
    "International": "Intl", "Corporation": "Corp", "Company": "Co", "Technologies": "Tech", "Manufacturing": "Mfg",
    "Services": "Svcs", "Systems": "Sys", "Solutions": "Sol.", "Financial": "Fin.", "Industries": "Ind.",
    "Holdings": "Hldgs", "Pharmaceuticals": "Pharma", "Laboratories": "Labs", "Brothers": "Bros.",
    "Associates": "Assoc.", "Construction": "Constr.", "Insurance": "Ins.", "Group": "Grp",
}

FREE_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "gmx.de", "web.de",
                     "orange.fr", "yahoo.co.jp")

JOB_TITLES = ("CTO", "CIO", "Head of IT", "IT Director", "VP Engineering", "Cloud Architect", "IT Manager",
              "Head of Infrastructure", "Chief Data Officer", "Procurement Manager", "CEO", "CFO",
              "Director of Operations", "DevOps Lead", "Enterprise Architect")

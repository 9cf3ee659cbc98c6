"""How people title and describe the same deal in different words: the title failure modes of the noise levels.

A salesperson names the Odoo deal after the customer's project; whoever registers it in ACE (the partner's alliance
team, or AWS for a referral) often names it after the AWS motion or the customer's own project name. So beside the
templates of catalog.PROJECT_KINDS (which reuse the workload's words), each workload has phrasings that share few
or no words with it ("Teradata Exit" for a data warehouse), every kind has generic titles ("AWS Migration", "MAP"),
resold deals get "AWS Resell" titles, and Odoo keeps its placeholder "<partner>'s opportunity" when nobody renamed
the deal. Everything here draws from the failure mode's own generator (noise.Noise.draw).
"""

from __future__ import annotations

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.noise import Noise

# Per workload (catalog.PROJECT_KINDS): how the other side may call the same project.
WORKLOAD_PHRASINGS: dict[str, tuple[str, ...]] = {
    "SAP ECC": ("RISE migration", "ERP move to cloud", "S/4 conversion prep", "ECC rehost"),
    "Oracle databases": ("Oracle to Aurora PostgreSQL", "DB modernization", "Exit Oracle licences", "RDS for Oracle"),
    "on-premise data center": ("DC exit", "Data centre consolidation", "Colo exit - wave 1", "Lift & shift DC"),
    "VMware estate": ("VMC exit", "Broadcom renewal avoidance", "vSphere to EC2", "Virtualisation exit"),
    "Windows servers": ("Windows Server 2012 EOL", "MS workloads rehost", "Windows on EC2", ".NET estate"),
    "SQL Server databases": ("MSSQL to RDS", "SQL licence optimisation", "DB rehost (MS)"),
    "file servers": ("FSx for Windows", "NAS replacement", "Shared drives to cloud"),
    "legacy ERP": ("ERP rehost", "Dynamics AX move", "Finance system hosting"),
    "e-commerce platform": ("Online shop replatform", "Magento on AWS", "Webshop scaling"),
    "mainframe batch jobs": ("Mainframe modernization", "COBOL refactor", "z/OS exit"),
    "data lake": ("Lakehouse", "Analytics foundation", "S3 + Glue data platform", "Central data repository"),
    "data warehouse": ("Teradata Exit", "Migrate on-prem data warehouse to AWS", "Redshift DWH", "EDW modernisation"),
    "BI platform": ("Dashboards for management", "QuickSight rollout", "Self-service reporting"),
    "ETL pipelines": ("Data integration", "Glue jobs", "Informatica replacement"),
    "customer 360 analytics": ("Single customer view", "CDP on AWS", "Unified customer data"),
    "reporting platform": ("Management reporting", "Finance dashboards", "KPI reporting"),
    "demand forecasting": ("Sales forecast ML", "Inventory prediction", "Forecast PoC"),
    "document processing": ("IDP", "Invoice automation", "Textract PoC", "OCR of scanned forms"),
    "GenAI assistant": ("Bedrock chatbot", "LLM knowledge assistant", "Internal copilot", "GenAI PoC"),
    "fraud detection": ("Anomaly detection", "Payment risk scoring", "Fraud ML"),
    "recommendation engine": ("Personalize", "Product recommendations", "Next best offer"),
    "computer vision quality control": ("Visual inspection", "Defect detection on line", "Camera QA"),
    "customer churn prediction": ("Churn model", "Retention analytics", "Attrition ML"),
    "Kubernetes platform": ("EKS", "K8s migration", "OpenShift exit"),
    "microservices platform": ("App modernisation", "Monolith decomposition", "Re-architecture"),
    "serverless APIs": ("Lambda backend", "API Gateway build", "Event-driven APIs"),
    "CI/CD pipeline": ("DevOps tooling", "Pipeline automation", "GitLab runners on AWS"),
    "container platform": ("ECS Fargate", "Docker to cloud", "Containerisation"),
    "SAP S/4HANA": ("RISE with SAP", "S/4 greenfield", "ERP transformation"),
    "SAP BW": ("BW/4HANA", "SAP analytics", "BW hosting"),
    "SAP landscape": ("SAP rehost", "SAP infra move", "SAP on EC2"),
    "SAP HANA": ("HANA DB hosting", "HANA scale-up", "SAP database"),
    "landing zone": ("Control Tower", "Multi-account foundation", "AWS foundations"),
    "security baseline": ("Security Hub rollout", "CIS hardening", "Guardrails"),
    "SOC 2 readiness": ("Compliance program", "Audit readiness", "SOC2"),
    "IAM governance": ("Identity Center", "SSO & permissions", "Access reviews"),
    "multi-account setup": ("Account vending", "AWS Organizations", "Account structure"),
    "backup and disaster recovery": ("BCP", "DR / BCP", "Resilience program", "Elastic Disaster Recovery"),
    "disaster recovery": ("DR site", "BCP", "DR to AWS", "Resilience"),
    "archive storage": ("Glacier archive", "Long-term retention", "Cold storage"),
    "tape replacement": ("Tape exit", "Virtual tape library", "Backup modernization"),
    "virtual desktops": ("Amazon WorkSpaces for remote workforce", "AppStream (Resell)", "VDI replacement",
                         "Citrix exit"),
    "WorkSpaces rollout": ("Remote desktops", "AppStream (Resell)", "DaaS", "Citrix exit"),
    "remote workforce desktops": ("Work from home desktops", "Amazon WorkSpaces", "VDI"),
    "contact center": ("Amazon Connect", "CCaaS", "Call centre replacement", "Genesys exit"),
    "customer service platform": ("Service desk modernisation", "Omnichannel support", "Connect rollout"),
    "IVR modernization": ("Voice bot", "Lex IVR", "Call routing"),
    "managed services": ("MSP", "Run services", "Cloud operations contract"),
    "cost optimization": ("FinOps", "Savings Plans review", "Cloud spend reduction", "RI optimisation"),
    "FinOps program": ("Cost optimisation", "Cloud cost governance", "Spend visibility"),
    "24x7 operations": ("NOC service", "Managed operations", "Follow-the-sun support"),
    "Well-Architected review": ("WAFR", "WA review", "Architecture assessment"),
    "connected factory": ("Industry 4.0", "Smart factory", "OT data platform"),
    "fleet telemetry": ("Vehicle tracking", "Connected fleet", "Telematics"),
    "smart metering": ("Meter data platform", "AMI analytics", "Energy IoT"),
    "predictive maintenance": ("Asset monitoring", "Condition monitoring", "Maintenance ML"),
    "website hosting": ("Corporate site", "Web hosting move", "CMS hosting"),
    "headless CMS": ("Content platform", "Web relaunch", "Digital experience platform"),
    "mobile backend": ("App backend", "Amplify backend", "Mobile API"),
}
_PHRASED = ("{A}", "{A}", "{A} on AWS", "{C} - {A}", "{A} (MAP)", "Project {A}", "{C} {A}")

# Titles that name the motion, not the workload, per project kind; RESELL_TITLES for resold accounts.
GENERIC_TITLES: dict[str, tuple[str, ...]] = {
    "migration": ("AWS Migration", "MAP", "MAP 2.0 Migrate", "Cloud Migration", "Migration"),
    "data": ("Data & Analytics", "Analytics", "Data Platform"),
    "ml": ("GenAI", "AI/ML PoC", "GenAI PoC", "Machine Learning"),
    "containers": ("Modernization", "App Modernization", "Containers"),
    "sap": ("SAP on AWS", "SAP"),
    "security": ("Security", "Security Assessment"),
    "backup": ("Backup", "DR"),
    "euc": ("EUC", "End User Computing"),
    "contact": ("Amazon Connect", "Contact Center"),
    "managed": ("Managed Services", "MSP"),
    "iot": ("IoT", "IoT PoC"),
    "web": ("Web", "Hosting"),
}
ANY_GENERIC_TITLES = ("AWS Opportunity", "Co-Sell", "New Opportunity", "AWS", "{C} - AWS", "{C}")
RESELL_TITLES = ("AWS Resell", "Resell", "SPP resale", "AWS consumption", "{C} - AWS Resell")
PLACEHOLDER_TITLES = ("{P}'s opportunity", "{P}'s opportunity", "{P}'s opportunity", "Follow-up call",
                      "Website inquiry", "Meeting request")
_DESCRIBED = (
    "{C} is looking at {a}.",
    "Customer wants to run {a} on AWS; partner leads the delivery.",
    "{a} for {C}. Details to follow after the discovery call.",
    "Opportunity identified with the AWS account team: {a}.",
)


def _fill(template: str, alias: str, company: str, partner: str = "") -> str:
    return template.replace("{A}", alias).replace("{a}", alias[:1].lower() + alias[1:]).replace(
        "{C}", company).replace("{P}", partner)


def vary_titles(noise: Noise, deal) -> None:
    """Apply the title failure modes to a rendered deal (Odoo and ACE titles, and the ACE business problem)."""
    if deal.kind is None:
        return
    key, company = deal.key, deal.company.base
    r = noise.draw("titles", key)
    rewritten = False
    if noise.happens("paraphrased_titles", key):
        alias = r.choice(WORKLOAD_PHRASINGS.get(deal.workload, (deal.workload,)))
        title = _fill(r.choice(_PHRASED), alias, company)
        if deal.phase and r.random() < 0.5:
            n = min(deal.phase + 1, 5)
            title += r.choice(catalog.FOLLOW_ON_SUFFIXES).format(n=n, roman=("I", "II", "III", "IV", "V")[n - 1])
        if r.random() < 0.3:
            deal.odoo_title = title
        else:
            deal.ace_title = title
        rewritten = True
    elif noise.happens("generic_titles", key):
        resold = deal.delivery_model == "Resell" or deal.account is not None and deal.account.resold and \
            r.random() < 0.3
        pool = RESELL_TITLES if resold else GENERIC_TITLES.get(deal.kind.key, ()) + ANY_GENERIC_TITLES
        deal.ace_title = _fill(r.choice(pool), deal.workload, company)
        rewritten = True
    elif noise.happens("short_titles", key):
        deal.ace_title = deal.workload[:1].upper() + deal.workload[1:]
    if noise.happens("placeholder_titles", key):
        partner = deal.contact.name if r.random() < 0.6 else deal.company.legal_name
        deal.odoo_title = _fill(r.choice(PLACEHOLDER_TITLES), "", company, partner)
    if rewritten and r.random() < noise.modes.rewritten_descriptions:
        alias = r.choice(WORKLOAD_PHRASINGS.get(deal.workload, (deal.workload,)))
        deal.ace_needs = [_fill(r.choice(_DESCRIBED), alias, company)]
        if r.random() < 0.5:
            deal.ace_needs.append(r.choice(deal.needs))

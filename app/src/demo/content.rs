//! The demo trust center of the fictional Northwind Analytics, Inc.
//!
//! Every fact agrees with `../shared/data/questionnaire/kb.csv` (the company's approved answers):
//! AWS us-east-1 and eu-west-1 with backups in us-west-2 and eu-central-1, Okta SSO with
//! phishing-resistant MFA, SOC 2 Type II over Security, Availability and Confidentiality for the
//! year ending 30 September, ISO/IEC 27001:2022, an annual CREST penetration test, RPO 1 h and
//! RTO 4 h, 72-hour breach notification, offices in Boston and Dublin. Firms named here are
//! fictional; the cloud and SaaS providers are real companies commonly used as subprocessors.

use crate::features::trust_center::domain::{ControlCategory as Cat, ControlStatus as St};

/// The profile's company name (page header, mails), also named in the log when the demo is seeded.
pub const COMPANY: &str = "Northwind Analytics";
/// The registered name, used in the demo documents' wording and footers.
pub const LEGAL_NAME: &str = "Northwind Analytics, Inc.";
/// What the system is and where customer data is hosted: the profile's description begins with
/// it, and the reports' system descriptions say it.
pub const SYSTEM_DESCRIPTION: &str = "Northwind Analytics is a cloud analytics platform: data teams connect their \
    warehouses and SaaS sources, model shared metrics and publish governed dashboards to the whole company. \
    Each customer chooses whether its workspace is hosted in the United States (AWS us-east-1) or the \
    European Union (AWS eu-west-1, Ireland), and its data stays in that geography.";
/// What the public page adds after the system description.
pub const PAGE_PURPOSE: &str = "This page summarises how we protect that data and lets you request our audit reports.";
/// The profile's website (an `.example` domain, which never resolves).
pub const WEBSITE: &str = "https://northwind-analytics.example";
/// The profile's security contact (an `.example` address, so no mail is ever delivered).
pub const SECURITY_CONTACT: &str = "security@northwind-analytics.example";
/// The profile's accent colour, `#rrggbb`; the demo logo uses the same blue.
pub const ACCENT: &str = "#1d5c8f";
/// The (fictional) service auditor of the SOC 2 report.
pub const AUDIT_FIRM: &str = "Calder & Whitlock LLP";
/// The (fictional) certification body of the ISO/IEC 27001 certificate.
pub const ISO_BODY: &str = "Certa Assurance Ltd (UKAS-accredited)";
/// The (fictional) firm that performed the penetration test.
pub const PENTEST_FIRM: &str = "Redline Security Ltd (CREST-accredited)";

/// (category, title, description, status, TSC points)
pub const CONTROLS: &[(Cat, &str, &str, St, &str)] = &[
    (Cat::AccessControl, "Single sign-on with phishing-resistant MFA",
     "All workforce access to internal applications, cloud consoles and source code goes through Okta SSO, which requires FIDO2 security keys or Okta FastPass; SMS and voice factors are disabled.",
     St::Implemented, "CC6.1, CC6.2"),
    (Cat::AccessControl, "Just-in-time privileged access",
     "No engineer holds standing administrative access to production. Elevated access is approved per request, lasts at most four hours and every session is recorded through AWS Systems Manager.",
     St::Implemented, "CC6.1, CC6.3"),
    (Cat::AccessControl, "Quarterly access reviews",
     "System owners recertify every account and permission for production, databases, source code and critical SaaS tools each quarter; unjustified access is removed within five business days.",
     St::Implemented, "CC6.2, CC6.3"),
    (Cat::AccessControl, "Automated deprovisioning",
     "Departures recorded in the HR system disable Okta, and with it every connected application, within 24 hours, and at the moment of notice for involuntary terminations.",
     St::Implemented, "CC6.2, CC6.3"),
    (Cat::AccessControl, "Passwordless workforce sign-in",
     "Replacing workforce passwords entirely with device-bound passkeys in Okta; pilot complete for engineering.",
     St::InProgress, "CC6.1"),
    (Cat::ChangeManagement, "Peer-reviewed changes",
     "Every change to application code or infrastructure is a GitHub pull request approved by a reviewer other than its author, with passing tests and security checks before merge.",
     St::Implemented, "CC8.1"),
    (Cat::ChangeManagement, "Pipeline-only deployments",
     "Production is changed only by the CI/CD pipeline; emergency changes follow an expedited path and receive a retrospective review within two business days.",
     St::Implemented, "CC8.1, CC7.1"),
    (Cat::ChangeManagement, "Infrastructure as code with drift detection",
     "AWS and Kubernetes resources are defined in Terraform and Helm; a daily job alerts the platform team when live configuration drifts from code.",
     St::Implemented, "CC8.1, CC7.1"),
    (Cat::ChangeManagement, "Separated environments",
     "Development, staging and production run in separate AWS accounts; production customer data is never copied to non-production environments.",
     St::Implemented, "CC8.1, C1.1"),
    (Cat::IncidentResponse, "Tested incident response plan",
     "A documented plan defines severity levels, roles, escalation and communication; it is exercised at least yearly in tabletop exercises with engineering, legal and support.",
     St::Implemented, "CC7.3, CC7.4, CC7.5"),
    (Cat::IncidentResponse, "24/7 on-call response",
     "Platform and security engineers share a 24/7 on-call rotation; critical alerts page automatically and are acknowledged within 15 minutes.",
     St::Implemented, "CC7.3, CC7.4"),
    (Cat::IncidentResponse, "Customer notification within 72 hours",
     "Affected customers are notified without undue delay, and within 72 hours of confirming an incident involving their data.",
     St::Implemented, "CC7.4, CC2.3"),
    (Cat::IncidentResponse, "Blameless post-incident reviews",
     "Significant incidents get a root-cause review with tracked corrective actions; affected customers receive a written summary, normally within ten business days.",
     St::Implemented, "CC7.5"),
    (Cat::RiskAssessment, "Annual risk assessment",
     "A formal risk assessment runs yearly and on significant change; risks are scored, owned and reviewed quarterly by the security steering committee.",
     St::Implemented, "CC3.1, CC3.2, CC3.4"),
    (Cat::RiskAssessment, "Threat modelling of sensitive features",
     "Features touching authentication, authorization or customer data are threat-modelled at design time, and high-risk designs need security sign-off.",
     St::Implemented, "CC3.2, CC8.1"),
    (Cat::MonitoringAndLogging, "Central SIEM with 24/7 triage",
     "Application, Kubernetes, CloudTrail, Okta, GitHub and endpoint logs flow into a SIEM whose correlation rules page the on-call security engineer.",
     St::Implemented, "CC7.2, CC7.3, CC4.1"),
    (Cat::MonitoringAndLogging, "Tamper-resistant log retention",
     "Security logs are kept for at least one year in a dedicated AWS logging account under S3 Object Lock, with CloudTrail log file integrity validation.",
     St::Implemented, "CC7.2, CC4.1"),
    (Cat::MonitoringAndLogging, "Cloud threat detection",
     "Amazon GuardDuty runs in every account and region in use, and a runtime agent watches container process and network activity.",
     St::Implemented, "CC7.1, CC7.2"),
    (Cat::MonitoringAndLogging, "Availability monitoring and status page",
     "Synthetic checks exercise the application and API every minute from several locations; incidents are published on a public status page.",
     St::Implemented, "A1.1, CC7.2, CC2.3"),
    (Cat::VendorManagement, "Vendor security reviews",
     "Vendors that handle company or customer data are reviewed before contract signature, and critical vendors are reassessed yearly from their SOC 2 or ISO 27001 reports.",
     St::Implemented, "CC9.2"),
    (Cat::VendorManagement, "Contractual security obligations",
     "Supplier agreements carry confidentiality, security and incident-notification terms; suppliers processing personal data sign a DPA at least as protective as ours.",
     St::Implemented, "CC9.2, C1.1"),
    (Cat::VendorManagement, "Subprocessor change notice",
     "The subprocessor list is published here, and subscribers are emailed at least 30 days before a new subprocessor starts processing their data.",
     St::Implemented, "CC2.3, CC9.2"),
    (Cat::DataProtection, "Encryption at rest",
     "Customer data in Amazon RDS, S3, EBS volumes and backups is encrypted with AES-256 under AWS KMS keys, separate per environment and data store.",
     St::Implemented, "CC6.1, C1.1"),
    (Cat::DataProtection, "Encryption in transit",
     "The web application and API accept only TLS 1.2 or higher with strong cipher suites and HSTS; internal service traffic uses mutual TLS.",
     St::Implemented, "CC6.7"),
    (Cat::DataProtection, "Key management",
     "Keys are held in AWS KMS (FIPS 140 validated HSMs), rotate automatically every year, and their use is restricted by IAM policy.",
     St::Implemented, "CC6.1"),
    (Cat::DataProtection, "Tenant isolation",
     "Every record carries a tenant identifier enforced by PostgreSQL row-level security; automated tests check for cross-tenant access on every release.",
     St::Implemented, "CC6.1, C1.1"),
    (Cat::DataProtection, "Deletion at contract end",
     "Customer data is deleted from production within 30 days of contract end; encrypted backup copies expire with the 35-day retention period.",
     St::Implemented, "C1.2"),
    (Cat::PhysicalSecurity, "Hosting in AWS data centers",
     "Northwind operates no data centers. Physical and environmental controls are AWS's (a carved-out subservice organization), whose SOC 2 reports we review every year.",
     St::Implemented, "CC6.4, CC9.2"),
    (Cat::PhysicalSecurity, "Office access control",
     "The Boston and Dublin offices use badge-controlled entry and CCTV; visitors sign in and are escorted. No customer data or production systems are kept in offices.",
     St::Implemented, "CC6.4"),
    (Cat::PhysicalSecurity, "Secure media disposal",
     "Laptops are wiped remotely through MDM when returned, and retired devices are destroyed by a certified vendor issuing certificates of destruction.",
     St::Implemented, "CC6.5"),
    (Cat::HumanResources, "Background checks",
     "Employees and contractors with system access are screened before their start date (identity, employment history and, where law permits, criminal records).",
     St::Implemented, "CC1.4"),
    (Cat::HumanResources, "Security awareness training",
     "Everyone completes security training in their first week, before receiving access to customer data, and yearly after; phishing simulations run quarterly.",
     St::Implemented, "CC1.4, CC2.2"),
    (Cat::HumanResources, "Confidentiality agreements",
     "Employees and contractors sign confidentiality agreements and acknowledge the acceptable use policy before starting work.",
     St::Implemented, "CC1.1, CC1.5"),
    (Cat::BusinessContinuity, "Multi-zone high availability",
     "Each region runs across three availability zones with RDS Multi-AZ databases and replicated services; Enterprise agreements carry a 99.9% uptime SLA.",
     St::Implemented, "A1.1, A1.2"),
    (Cat::BusinessContinuity, "Backups with quarterly restore tests",
     "Continuous point-in-time backups plus daily snapshots are kept 35 days and copied to a second region in the same geography; restores are tested every quarter.",
     St::Implemented, "A1.2, A1.3"),
    (Cat::BusinessContinuity, "Tested disaster recovery",
     "The business continuity and disaster recovery plans target an RPO of one hour and an RTO of four hours, and a regional failover is exercised every year.",
     St::Implemented, "A1.3, CC9.1"),
    (Cat::VulnerabilityManagement, "Annual independent penetration test",
     "A CREST-accredited firm tests the web application, API and cloud infrastructure every year and after major architectural change; findings are retested after remediation.",
     St::Implemented, "CC4.1, CC7.1"),
    (Cat::VulnerabilityManagement, "Continuous vulnerability scanning",
     "Authenticated host scans run weekly, container images are scanned at build and daily in the registry, and cloud configuration is assessed continuously.",
     St::Implemented, "CC7.1"),
    (Cat::VulnerabilityManagement, "Remediation deadlines by severity",
     "Critical vulnerabilities are fixed within 7 days, high within 30 and medium within 90; exceptions need a risk acceptance approved by the CISO.",
     St::Implemented, "CC7.1, CC8.1"),
    (Cat::VulnerabilityManagement, "Security testing in the pipeline",
     "Every pull request runs static analysis (SAST) and dependency scanning (SCA); a new critical or high finding blocks the merge.",
     St::Implemented, "CC8.1, CC7.1"),
    (Cat::VulnerabilityManagement, "Bug bounty and disclosure policy",
     "A published vulnerability disclosure policy offers safe harbor, and a private bug bounty triages valid reports within two business days.",
     St::Implemented, "CC7.1, CC2.3"),
    (Cat::EndpointSecurity, "Managed company devices",
     "Every laptop is enrolled in MDM at provisioning, enforcing screen lock, firewall and approved software, with remote lock and wipe.",
     St::Implemented, "CC6.8"),
    (Cat::EndpointSecurity, "Full-disk encryption",
     "FileVault is enforced before a laptop is issued; an unencrypted device cannot authenticate to Okta.",
     St::Implemented, "CC6.7, CC6.8"),
    (Cat::EndpointSecurity, "Endpoint detection and response",
     "An EDR agent on all laptops and production nodes provides behaviour-based malware prevention, with alerts handled around the clock.",
     St::Implemented, "CC6.8, CC7.2"),
    (Cat::EndpointSecurity, "Company devices only",
     "Customer data and internal systems are reachable only from company-issued, managed laptops, enforced by Okta device trust.",
     St::Implemented, "CC6.1, CC6.8"),
];

/// (name, purpose, location, data processed, website)
pub const SUBPROCESSORS: &[(&str, &str, &str, &str, &str)] = &[
    ("Amazon Web Services, Inc.", "Cloud hosting, storage, backups and content delivery",
     "United States (us-east-1, backups us-west-2); European Union (eu-west-1 Ireland, backups eu-central-1 Frankfurt)",
     "All customer data, in the region the customer chose", "https://aws.amazon.com"),
    ("Datadog, Inc.", "Infrastructure and application monitoring",
     "United States; European Union for EU-hosted workspaces",
     "Service logs and metrics: user identifiers, IP addresses, request metadata", "https://www.datadoghq.com"),
    ("Zendesk, Inc.", "Customer support ticketing", "United States",
     "Names, e-mail addresses and the content of support requests", "https://www.zendesk.com"),
    ("Twilio Inc. (SendGrid)", "Transactional e-mail delivery", "United States",
     "Recipient names and e-mail addresses, notification content", "https://sendgrid.com"),
    ("Stripe, Inc.", "Subscription billing and payments", "United States",
     "Billing contact details and payment card data (held by Stripe only)", "https://stripe.com"),
    ("Microsoft Corporation (Azure OpenAI Service)", "Natural-language query features, without training or retention",
     "United States (East US 2); European Union (Sweden Central) for EU-hosted workspaces",
     "Prompts and query results of the requesting customer, processed transiently", "https://azure.microsoft.com"),
];

/// Subservice organizations in the SOC 2 report: (name, services, inclusive?)
pub const SUBSERVICE_ORGS: &[(&str, &str, bool)] = &[
    ("Amazon Web Services, Inc.", "Infrastructure as a service: hosting, storage, networking and the physical and environmental security of the data centers", false),
    ("Okta, Inc.", "Workforce identity provider: single sign-on and multi-factor authentication", false),
];

/// The SOC 2 report's complementary user entity controls: what customers must do themselves.
pub const CUECS: &[&str] = &[
    "Customers are responsible for granting access to their workspace only to authorized users and for removing users who no longer need it.",
    "Customers are responsible for configuring single sign-on or requiring multi-factor authentication for their users where their own policies demand it.",
    "Customers are responsible for safeguarding API tokens issued to them and revoking tokens they suspect are compromised.",
    "Customers are responsible for reviewing their workspace audit log and reporting unexpected activity to Northwind promptly.",
    "Customers are responsible for ensuring they are authorized to upload the data they send to the platform.",
];

/// (question, answer)
pub const FAQS: &[(&str, &str)] = &[
    ("How can we get your SOC 2 Type II report?",
     "Choose “Request access” next to the SOC 2 report under Documents on this page. We verify your work e-mail, ask you to accept our non-disclosure agreement, and our team approves the request, usually within one business day. Existing customers with a signed MNDA skip the NDA step."),
    ("Where is our data hosted?",
     "You choose at onboarding: the United States (AWS us-east-1) or the European Union (AWS eu-west-1 in Ireland). Customer data, including backups, stays in that geography."),
    ("Is customer data encrypted?",
     "Yes. Data at rest is encrypted with AES-256 under AWS KMS keys, and every connection to the application and API uses TLS 1.2 or higher."),
    ("Do you use our data to train AI models?",
     "No. Customer data is never used to train machine learning or generative AI models, ours or anyone else's. Our AI subprocessor processes prompts only to answer the requesting customer and may not retain them."),
    ("How will we hear about a security incident affecting our data?",
     "We notify affected customers without undue delay and within 72 hours of confirming an incident involving their data, with what happened, the data involved and what we are doing about it."),
    ("Will you sign a data processing agreement?",
     "Yes. Our GDPR data processing agreement incorporates the EU Standard Contractual Clauses and the UK International Data Transfer Addendum, and is available to every customer."),
    ("May we run our own penetration test?",
     "Yes, on your own workspace, with ten business days' notice and under our testing rules, which exclude denial-of-service, social engineering and any attempt to reach other tenants."),
    ("How do we report a vulnerability?",
     "E-mail security@northwind-analytics.example, which the on-call security engineer monitors around the clock. Our disclosure policy offers safe harbor to good-faith researchers."),
];

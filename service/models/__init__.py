"""SQLAlchemy models, one module per aggregate."""

from .account_extras import ApiToken, UserPreference
from .audit import AuditChainHead, AuditEvent, RequestOrigin, UserAgent
from .audit_verification import AuditVerification, VerificationState
from .campaign import AwardForm, Campaign, CampaignAwardForm, CampaignRule, Registration
from .certificate_layout import CertificateLayout
from .decision import Decision, DecisionAward, DecisionCounter, GeneratedDocument
from .document import Document, DocumentKind
from .job import Job, JobStatus, Notification, TaskReminder
from .dossier import Dossier, DossierStatus, Nominee, NomineeDecision, NomineeKind
from .org import Level, OrgUnit, OrgUnitName, Role, RoleAssignment
from .records import IndexResult, PastAward, YearlyRating
from .process import HumanTask, HumanTaskState, InstanceStatus, ProcessDefinition, ProcessInstance, ProcessVersion
from .user import User

__all__ = [
    "ApiToken", "CertificateLayout", "Decision", "DecisionAward", "DecisionCounter", "GeneratedDocument", "IndexResult", "PastAward", "YearlyRating", "CampaignAwardForm", "CampaignRule", "Document", "DocumentKind", "Registration", "UserPreference",
    "AuditChainHead", "AuditEvent", "AwardForm", "Campaign", "Dossier", "DossierStatus", "HumanTask",
    "HumanTaskState", "InstanceStatus", "Level", "Nominee", "NomineeDecision", "NomineeKind", "OrgUnit", "OrgUnitName", "ProcessDefinition",
    "ProcessInstance", "ProcessVersion", "RequestOrigin", "Role", "RoleAssignment", "User", "UserAgent",
    "Job", "JobStatus", "Notification", "TaskReminder", "AuditVerification", "VerificationState",
]  # fmt: skip

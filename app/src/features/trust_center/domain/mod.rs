//! The SOC 2 and control vocabulary, modelled as data with its rules.
//!
//! Sources: AICPA Trust Services Criteria (2017, points of focus revised 2022); see
//! `../shared/DOMAIN.md`. These types are what forms parse into and what the public page shows.

mod controls;
mod criteria;
mod report;

pub use controls::{ControlCategory, ControlStatus, FrameworkStatus};
pub use criteria::{TscCategory, TscPoint};
pub use report::{
    ExaminationPeriod, Freshness, FreshnessStatus, Opinion, ReportType, SubserviceTreatment, FRESH_MONTHS,
};

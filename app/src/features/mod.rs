//! One module per feature: `model` (wire types), `api` (server functions), `server` (ssr-only
//! queries and rules), `views` (components).

pub mod access;
pub mod accounts;
pub mod analytics;
pub mod ask;
pub mod audit;
pub mod documents;
pub mod downloads;
pub mod editor;
pub mod home;
pub mod integrations;
pub mod knowledge;
pub mod nda;
pub mod questionnaires;
pub mod trust_center;
pub mod updates;

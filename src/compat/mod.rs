//! Drop-in endpoints for the KYC APIs of the seed documents (DESIGN §6.3), so that a team migrating
//! from one of them can point its integration here. Each dialect is one module that translates its
//! request and response shapes onto the same service layer; no business rule lives here.

pub mod seed004;

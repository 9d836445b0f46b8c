//! The Crossplane CronOperation and Operation reconcilers
//! (`policy::crossplane`).

mod cronoperation;
mod operation;
mod reference_traces;

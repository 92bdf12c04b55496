// The streaming future nests deeply enough to pass the compiler's default query depth
// in release builds.
#![recursion_limit = "256"]
//! Lambda entry point of `stream-activities`: a response-streaming function.

fn main() -> Result<(), shared::run::BoxError> {
    shared::run::start_streaming(stream_activities::streaming)
}

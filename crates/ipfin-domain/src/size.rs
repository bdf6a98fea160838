//! Enterprise size classification (SPEC §10): being written.

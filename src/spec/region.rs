//! Region-relative values for cases: `${region}` is the run's region and `${other_region}` a
//! real region of the same partition that is not the run's, so that a case about "a Region the
//! pool was never replicated to" holds in whichever region the suite runs. The choice is fixed
//! (the same run region always gives the same other region): `us-east-1`, or `us-west-2` when
//! the run is in `us-east-1`; in the China and GovCloud partitions, the partition's other
//! region.

/// The region a case can name as "not the run's region", for a run in `region`.
pub fn other_region(region: &str) -> &'static str {
    match region {
        "cn-north-1" => "cn-northwest-1",
        r if r.starts_with("cn-") => "cn-north-1",
        "us-gov-west-1" => "us-gov-east-1",
        r if r.starts_with("us-gov-") => "us-gov-west-1",
        "us-east-1" => "us-west-2",
        _ => "us-east-1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_other_region_is_never_the_run_s_and_stays_in_its_partition() {
        for (run, other) in [
            ("us-east-1", "us-west-2"),
            ("eu-west-1", "us-east-1"),
            ("us-west-2", "us-east-1"),
            ("ap-southeast-2", "us-east-1"),
            ("cn-north-1", "cn-northwest-1"),
            ("cn-northwest-1", "cn-north-1"),
            ("us-gov-west-1", "us-gov-east-1"),
            ("us-gov-east-1", "us-gov-west-1"),
        ] {
            assert_eq!(other_region(run), other, "{run}");
            assert_ne!(other_region(run), run);
        }
    }
}

//! `google.protobuf.Timestamp` with the proto3 canonical JSON form.
//!
//! pbjson-types writes timestamps with chrono's `to_rfc3339`
//! (`2023-02-25T00:00:00+00:00`); the proto3 JSON mapping, and so grpcurl
//! and `buf curl`, write `2023-02-25T00:00:00Z` with 0, 3, 6 or 9 fractional
//! digits. This type is wired in for `.google.protobuf.Timestamp` by
//! `build.rs`, so the CLI prints exactly what those clients print. The other
//! well-known types come from pbjson-types.

use chrono::{DateTime, Utc};
use serde::de::Error as _;

/// A point in time: seconds and nanoseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, PartialEq, Eq, Hash, prost::Message)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Non-negative fractions of a second, 0..=999,999,999.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

impl Timestamp {
    /// The timestamp as a chrono time, if it is a valid one.
    pub fn to_datetime(&self) -> Option<DateTime<Utc>> {
        let nanos = u32::try_from(self.nanos).ok()?;
        DateTime::from_timestamp(self.seconds, nanos)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp {
            seconds: t.timestamp(),
            nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let t = self
            .to_datetime()
            .ok_or_else(|| S::Error::custom(format!("invalid timestamp {self:?}")))?;
        let fraction = match t.timestamp_subsec_nanos() {
            0 => String::new(),
            n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
            n if n % 1_000 == 0 => format!(".{:06}", n / 1_000),
            n => format!(".{n:09}"),
        };
        serializer.collect_str(&format_args!(
            "{}{fraction}Z",
            t.format("%Y-%m-%dT%H:%M:%S")
        ))
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let t = DateTime::parse_from_rfc3339(&s)
            .map_err(|e| D::Error::custom(format!("{s:?} is not an RFC 3339 timestamp: {e}")))?;
        Ok(Timestamp::from(t.with_timezone(&Utc)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(seconds: i64, nanos: i32) -> String {
        serde_json::to_string(&Timestamp { seconds, nanos }).unwrap()
    }

    #[test]
    fn serialises_in_the_canonical_proto3_form() {
        assert_eq!(json(1_677_283_200, 0), r#""2023-02-25T00:00:00Z""#);
        assert_eq!(json(0, 500_000_000), r#""1970-01-01T00:00:00.500Z""#);
        assert_eq!(json(0, 1_000), r#""1970-01-01T00:00:00.000001Z""#);
        assert_eq!(json(0, 7), r#""1970-01-01T00:00:00.000000007Z""#);
        assert!(
            serde_json::to_string(&Timestamp {
                seconds: 0,
                nanos: -1
            })
            .is_err()
        );
    }

    #[test]
    fn parses_any_offset_and_round_trips() {
        let t: Timestamp = serde_json::from_str(r#""2022-12-19T00:00:00+01:00""#).unwrap();
        assert_eq!(t.seconds, 1_671_404_400);
        let back: Timestamp = serde_json::from_str(&json(t.seconds, 123_000_000)).unwrap();
        assert_eq!(
            back,
            Timestamp {
                seconds: 1_671_404_400,
                nanos: 123_000_000
            }
        );
        assert!(serde_json::from_str::<Timestamp>(r#""yesterday""#).is_err());
    }
}

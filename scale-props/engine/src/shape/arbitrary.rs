//! quickcheck `Arbitrary` for every shape: small loads, shrinking toward less load.

use quickcheck::{Arbitrary, Gen};

use super::{Burst, Closed, LoadShape, Open, Ramp, Steps, WorkerSweep};

fn pick(g: &mut Gen, lo: u64, hi: u64) -> u64 {
    lo + u64::arbitrary(g) % (hi - lo + 1)
}

fn halves(v: u64, min: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut x = v;
    while x > min {
        x = min + (x - min) / 2;
        out.push(x);
        if x == min {
            break;
        }
    }
    out
}

impl Arbitrary for Closed {
    fn arbitrary(g: &mut Gen) -> Self {
        let users = pick(g, 1, 16);
        let ops = pick(g, 1, 500);
        Self::new(users, ops)
            .unwrap_or_else(|_| unreachable!("1..=16 users and 1..=500 ops are in bounds"))
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let (u, o) = (self.users() as u64, self.ops());
        let fewer_users = halves(u, 1)
            .into_iter()
            .filter_map(move |u| Self::new(u, o).ok());
        let fewer_ops = halves(o, 1)
            .into_iter()
            .filter_map(move |o| Self::new(u, o).ok());
        Box::new(fewer_users.chain(fewer_ops).collect::<Vec<_>>().into_iter())
    }
}

impl Arbitrary for Open {
    fn arbitrary(g: &mut Gen) -> Self {
        let rate = pick(g, 10, 10_000);
        Self::new(rate, pick(g, 1, 4), pick(g, 1, 500))
            .unwrap_or_else(|_| unreachable!("small open loads are in bounds"))
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let (r, w, o) = (self.rate_per_sec(), self.workers() as u64, self.ops());
        let out: Vec<Self> = halves(r, 1)
            .into_iter()
            .filter_map(|r| Self::new(r, w, o).ok())
            .chain(
                halves(w, 1)
                    .into_iter()
                    .filter_map(|w| Self::new(r, w, o).ok()),
            )
            .chain(
                halves(o, 1)
                    .into_iter()
                    .filter_map(|o| Self::new(r, w, o).ok()),
            )
            .collect();
        Box::new(out.into_iter())
    }
}

impl Arbitrary for Burst {
    fn arbitrary(g: &mut Gen) -> Self {
        Self::new(pick(g, 1, 8), pick(g, 1, 16), pick(g, 1, 200))
            .unwrap_or_else(|_| unreachable!("small bursts are in bounds"))
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let (b, f, o) = (self.base() as u64, self.factor() as u64, self.ops());
        let out: Vec<Self> = halves(b, 1)
            .into_iter()
            .filter_map(|b| Self::new(b, f, o).ok())
            .chain(
                halves(f, 1)
                    .into_iter()
                    .filter_map(|f| Self::new(b, f, o).ok()),
            )
            .chain(
                halves(o, 1)
                    .into_iter()
                    .filter_map(|o| Self::new(b, f, o).ok()),
            )
            .collect();
        Box::new(out.into_iter())
    }
}

impl Arbitrary for Ramp {
    fn arbitrary(g: &mut Gen) -> Self {
        Self::new(1, pick(g, 1, 16), pick(g, 1, 6), pick(g, 1, 200))
            .unwrap_or_else(|_| unreachable!("small ramps are in bounds"))
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let (to, s) = (self.to() as u64, self.steps() as u64);
        let ops = self.phases().first().map_or(1, |p| p.ops);
        let out: Vec<Self> = halves(to, 1)
            .into_iter()
            .filter_map(|t| Self::new(1, t, s, ops).ok())
            .chain(
                halves(ops, 1)
                    .into_iter()
                    .filter_map(|o| Self::new(1, to, s, o).ok()),
            )
            .collect();
        Box::new(out.into_iter())
    }
}

impl Arbitrary for Steps {
    fn arbitrary(g: &mut Gen) -> Self {
        Self::new(pick(g, 1, 4), vec![1, 10], pick(g, 1, 200))
            .unwrap_or_else(|_| unreachable!("small steps are in bounds"))
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let (b, f, o) = (
            self.base() as u64,
            self.factors().to_vec(),
            self.ops_per_step(),
        );
        let out: Vec<Self> = halves(b, 1)
            .into_iter()
            .filter_map(|b| Self::new(b, f.clone(), o).ok())
            .chain(
                halves(o, 1)
                    .into_iter()
                    .filter_map(|o| Self::new(b, f.clone(), o).ok()),
            )
            .collect();
        Box::new(out.into_iter())
    }
}

impl Arbitrary for WorkerSweep {
    fn arbitrary(g: &mut Gen) -> Self {
        let top = pick(g, 0, 4);
        Self::new((0..=top).map(|k| 1 << k).collect(), pick(g, 1, 500))
            .unwrap_or_else(|_| unreachable!("small sweeps are in bounds"))
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let levels: Vec<u64> = self.workers().iter().map(|w| *w as u64).collect();
        let o = self.ops_per_level();
        let mut out = Vec::new();
        if levels.len() > 1 {
            out.extend(Self::new(levels[..levels.len() - 1].to_vec(), o).ok());
        }
        out.extend(
            halves(o, 1)
                .into_iter()
                .filter_map(|o| Self::new(levels.clone(), o).ok()),
        );
        Box::new(out.into_iter())
    }
}

impl Arbitrary for LoadShape {
    fn arbitrary(g: &mut Gen) -> Self {
        match u8::arbitrary(g) % 6 {
            0 => Closed::arbitrary(g).into(),
            1 => Open::arbitrary(g).into(),
            2 => Steps::arbitrary(g).into(),
            3 => Ramp::arbitrary(g).into(),
            4 => Burst::arbitrary(g).into(),
            _ => WorkerSweep::arbitrary(g).into(),
        }
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        match self {
            Self::Closed(s) => Box::new(s.shrink().map(Self::from)),
            Self::Open(s) => Box::new(s.shrink().map(Self::from)),
            Self::Steps(s) => Box::new(s.shrink().map(Self::from)),
            Self::Ramp(s) => Box::new(s.shrink().map(Self::from)),
            Self::Burst(s) => Box::new(s.shrink().map(Self::from)),
            Self::Sweep(s) => Box::new(s.shrink().map(Self::from)),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn shrinking_never_adds_load() {
        fn prop(s: LoadShape) -> bool {
            s.shrink().all(|smaller| smaller.load() <= s.load())
        }
        quickcheck::QuickCheck::new()
            .tests(200)
            .quickcheck(prop as fn(LoadShape) -> bool);
    }
}

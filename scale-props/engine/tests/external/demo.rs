//! A test of a crate outside the engine's workspace that uses the engine as a path dependency: built and run
//! by `tests/external_crate.rs`. Its snapshot must land in this crate's own `snapshots/` folder and name this
//! file as its source.

use scale_props::prelude::*;

#[test]
fn an_outside_crate_claims_and_snapshots() -> Result<(), Box<dyn std::error::Error>> {
    let curve = Experiment::new("external.demo")
        .sizes([10, 100, 1_000])
        .claim(Growth::at_most(Complexity::Linear))
        .claim(Errors::none())
        .op(|_: &(), ctx| ctx.add_work(ctx.size))
        .ops(5)
        .run()?;
    curve.verdicts().assert_all()?;
    assert_curve_snapshot!(curve);
    Ok(())
}

//! For tests, in dlp-results and in crates that read results (behind the feature `testing`).

use crate::{Runs, parse_runs};

/// Two cells (relu, sigmoid) of three seeds; the sigmoid seed 2 diverged.
pub fn sample() -> Runs {
    let runs = "\
run_id,cell,seed,model.activation,dataset,status,final_test_acc,epochs_to_threshold
a0,0,0,relu,moons,ok,0.95,3
a1,0,1,relu,moons,ok,0.97,2
a2,0,2,relu,moons,ok,0.99,4
b0,1,0,sigmoid,moons,ok,0.80,
b1,1,1,sigmoid,moons,ok,0.90,9
b2,1,2,sigmoid,moons,diverged,NaN,
";
    let epochs = "\
run_id,cell,seed,epoch,train_loss,train_acc,test_loss,test_acc,lr,wall_s
a0,0,0,0,0.7,0.5,0.7,0.5,0.01,0
a0,0,0,1,0.3,0.9,0.3,0.9,0.01,0.1
a1,0,1,1,0.2,0.9,0.2,0.8,0.01,0.1
a2,0,2,1,0.2,0.9,0.2,0.7,0.01,0.1
b0,1,0,1,0.5,0.7,0.5,0.6,0.01,0.1
b1,1,1,1,0.5,0.7,0.5,0.6,0.01,0.1
b2,1,2,1,inf,0.5,NaN,0.5,0.01,0.1
";
    parse_runs(runs, epochs, "demo").unwrap()
}

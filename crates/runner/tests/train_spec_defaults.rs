//! The library's defaults are an experiment file's: `TrainSpec::new` trains what a file that
//! sets nothing but its name would.

#[test]
fn train_spec_defaults_are_the_experiment_file_defaults() {
    let file = dlp_runner::Resolved::parse("defaults.toml".as_ref(), "name = 'defaults'").unwrap();
    let split = dlp_data::load(&file.experiment.data, 0, ".".as_ref()).unwrap();
    let spec = dlp_train::TrainSpec::new(&split);
    assert_eq!(spec.architecture, file.architecture);
    assert_eq!(spec.loss.name, file.experiment.loss.name);
    // `TrainSpec::new` builds SGD at a constant rate: the file's optimizer and schedule.
    assert_eq!(
        (file.optimizer.as_str(), file.schedule.as_str()),
        ("sgd", "constant")
    );
    assert_eq!(
        Some(spec.optimizer.lr()),
        file.optimizer_params["lr"].as_float()
    );
    let train = &file.experiment.train;
    assert_eq!(
        (spec.epochs, spec.batch_size),
        (train.epochs, train.batch_size)
    );
    assert_eq!(file.experiment.seeds.list(), [spec.seed]);
    assert!(spec.initial_weights.is_none());
    assert_eq!(spec.penalties, file.experiment.loss.penalties());
    assert!(spec.penalties.is_zero());
}

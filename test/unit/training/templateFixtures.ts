// A model zoo template as downloaded, every path still its placeholder, and a label map that fits
// it: the training data of the tests that a job is refused for a placeholder the container does
// not fill in (label_map_path, when the channel has no label map) and accepted otherwise.

/** `label_map_path` is on line 10, its value at column 19. */
export const TEMPLATE_CONFIG = `model {
  ssd {
    num_classes: 2
  }
}
train_config {
  fine_tune_checkpoint: "PATH_TO_BE_CONFIGURED"
}
train_input_reader {
  label_map_path: "PATH_TO_BE_CONFIGURED/label_map.pbtxt"
  tf_record_input_reader {
    input_path: "PATH_TO_BE_CONFIGURED/train.record"
  }
}
`;

export const TWO_CLASS_LABEL_MAP = "item { id: 1 name: 'cat' }\nitem { id: 2 name: 'dog' }\n";

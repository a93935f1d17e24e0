"""Over-samplers written for this project (the GANs); the others come from imbalanced-learn."""

"""scikit-learn's MLP estimators on minitorch_nn: ``MLPClassifier`` and ``MLPRegressor``.

Code written for ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` runs with only the
import changed: the constructors take scikit-learn's parameters with its names, defaults and
meanings, and fitting sets its attributes. The network runs on a minitorch_nn engine, which
computes every gradient by backpropagation through its graph.

Accepted parameters (scikit-learn's): ``hidden_layer_sizes``, ``activation`` ('identity',
'logistic', 'tanh', 'relu'), ``solver`` ('sgd', 'adam'), ``alpha``, ``batch_size`` ('auto' =
min(200, n_samples), or an int), ``learning_rate`` ('constant', 'invscaling', 'adaptive'),
``learning_rate_init``, ``power_t``, ``max_iter``, ``shuffle``, ``random_state``, ``tol``,
``verbose``, ``warm_start``, ``momentum``, ``nesterovs_momentum``, ``early_stopping``,
``validation_fraction``, ``beta_1``, ``beta_2``, ``epsilon``, ``n_iter_no_change``, ``max_fun``
(accepted and checked; it only concerns 'lbfgs') and, for the regressor, ``loss``
('squared_error', 'poisson'); ``fit`` and ``partial_fit`` take ``sample_weight``. Our own
extra: ``engine`` ('tensor', the default, or 'scalar': the same numbers, one Value per number
and much slower).

Fitted attributes: ``classes_``, ``loss_``, ``loss_curve_``, ``best_loss_``,
``validation_scores_``, ``best_validation_score_``, ``n_iter_``, ``t_``, ``n_layers_``,
``n_outputs_``, ``out_activation_``, ``coefs_`` (arrays (n_in, n_out)), ``intercepts_``,
``n_features_in_``, and ``model_``: the trained minitorch_nn ``MLP`` (plots and checkpoints
work on it). Methods: ``fit``, ``partial_fit``, ``predict``, ``predict_proba``,
``predict_log_proba``, ``score``.

The training follows scikit-learn's rules, so a fit with the same ``random_state`` draws the
same starting weights and batches and follows the same loss curve (to rounding):

- weights start uniform in +-sqrt(6 / (n_in + n_out)) (2 instead of 6 for 'logistic');
- the loss is the output's loss plus ``0.5 * alpha * sum(W**2) / n_batch`` over the weights
  (not the intercepts): half the squared error for regression, the log loss of sigmoid
  (two classes, multilabel) or softmax (several classes) outputs for classification;
  ``loss_`` is its mean over the epoch's batches, weighted by batch size;
- 'sgd': ``v <- momentum * v - lr * g``, ``p <- p + v`` (Nesterov: ``p <- p + momentum * v
  - lr * g``); 'invscaling': ``lr = learning_rate_init / (t_ + 1) ** power_t`` after each
  epoch, ``t_`` counting the samples seen; 'adaptive': ``lr / 5`` each time the loss (or the
  validation score) stalls, stopping once ``lr <= 1e-6``;
- 'adam': ``lr_t = learning_rate_init * sqrt(1 - beta_2**t) / (1 - beta_1**t)``,
  ``p <- p - lr_t * m / (sqrt(v) + epsilon)``;
- training stops when the loss has not fallen below ``best_loss_ - tol`` (with
  ``early_stopping``: the score on the held-out ``validation_fraction`` has not risen above
  ``best_validation_score_ + tol``) for more than ``n_iter_no_change`` epochs; early stopping
  keeps the weights of the best validation score. Reaching ``max_iter`` first warns with
  ``sklearn.exceptions.ConvergenceWarning``.

What differs: 'lbfgs' is not offered (a ValueError names the solvers we have); sparse X is
made dense; float32 X gives float32 ``coefs_``, ``intercepts_`` and predictions as in
scikit-learn, but the arithmetic is float64. A regressor refuses ('squared_error') targets so
large that their squared error would overflow float64, where scikit-learn would train to inf
or NaN.

The package, one job a module, read in this order:

- ``estimators``: ``MLPClassifier`` and ``MLPRegressor``, what differs between them (targets,
  output activation, predictions, score);
- ``base``: what they share: the parameters, ``fit`` and the epoch loop, the stopping rules,
  the fitted attributes;
- ``objective``: what training minimizes: output activations, the loss with its alpha
  penalty, and its gradient with respect to the logits;
- ``solvers``: scikit-learn's 'sgd' and 'adam' update rules and learning-rate schedules;
- ``network``: an MLP on either engine seen as arrays ``coefs_ + intercepts_``; the one
  place that maps an engine name to a model class;
- ``validation``: checks of the parameters, of X and y, and of sample weights.
"""

from .estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]

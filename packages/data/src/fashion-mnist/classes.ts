/** Fashion-MNIST's ten classes, in label order, as words for a caption ("a picture of a {class}"). */
export const FASHION_MNIST_CLASSES: string[] = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'];
